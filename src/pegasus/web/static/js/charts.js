// Draws every Vega-Lite chart on the page; the tables beside them carry the same figures without JavaScript.
//
// Under Pegasus's Content-Security-Policy (script-src 'self', style-src 'self'; see pegasus/core/headers.py):
// `ast: true` makes vega-embed evaluate expressions with its bundled interpreter (vega-interpreter) instead of
// compiling them with `new Function`, which would need 'unsafe-eval'; `defaultStyle: false` and the tooltip's
// `disableDefaultStyle` stop the injected <style> elements, whose rules are in css/charts.css instead.
window.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-vega-spec]").forEach(function (element) {
    var spec = JSON.parse(document.getElementById(element.dataset.vegaSpec).textContent);
    vegaEmbed(element, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    }).catch(function (error) {
      element.textContent = "The chart could not be drawn: " + error;
    });
  });
});

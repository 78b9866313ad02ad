// Draws every Vega-Lite chart on the page; the tables beside them carry the same figures without JavaScript.
window.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-vega-spec]").forEach(function (element) {
    var spec = JSON.parse(document.getElementById(element.dataset.vegaSpec).textContent);
    vegaEmbed(element, spec, { actions: false, renderer: "svg" }).catch(function (error) {
      element.textContent = "The chart could not be drawn: " + error;
    });
  });
});

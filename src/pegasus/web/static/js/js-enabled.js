// GOV.UK Frontend's styles for a browser that runs JavaScript, set before the page is drawn. A file rather than an
// inline script so that the Content-Security-Policy allows scripts from Pegasus's own origin only.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

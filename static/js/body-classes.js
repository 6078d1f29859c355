// GOV.UK Frontend's body classes, set before the page paints (a blocking script at the top of
// <body>). A file, not an inline script: the Content-Security-Policy allows no inline code.
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

// Loaded at the top of <body>: what the GOV.UK page template does inline, which our CSP forbids.
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}

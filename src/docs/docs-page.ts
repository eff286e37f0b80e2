/** Swagger UI over the Worker's own document; everything it loads comes from this Worker, as its CSP requires. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>OrgStack API reference</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/docs/index.css">
    <link rel="stylesheet" href="/docs/swagger-ui.css">
  </head>
  <body>
    <noscript>This page needs JavaScript. The OpenAPI document is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`

/** A file of its own, since the page's CSP runs no inline script. */
export const DOCS_INIT_SCRIPT = `fetch('/api/openapi.json')
  .then((res) => {
    if (!res.ok) throw new Error('/api/openapi.json answered ' + res.status)
    return res.json()
  })
  .then((doc) => {
    SwaggerUIBundle({
      // "Try it out" calls this Worker whatever servers the document lists: the CSP allows no other.
      spec: Object.assign({}, doc, { servers: [{ url: location.origin }] }),
      dom_id: '#swagger-ui',
      deepLinking: true,
      displayRequestDuration: true,
      // Otherwise Swagger UI sends the document to validator.swagger.io for a badge.
      validatorUrl: null,
    })
  })
  .catch((error) => {
    document.getElementById('swagger-ui').textContent = 'Could not load the API reference: ' + error.message
  })
`

/** The strictest CSP under which Swagger UI runs without a violation; docs/operations.md explains each source. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  'img-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

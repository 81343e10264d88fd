// The API reference page (/api/docs): Swagger UI on this server's OpenAPI document.
// A file, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapiUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  // Everything comes from this server: no online validator badge, no remote documents.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});

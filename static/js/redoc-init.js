// Starts ReDoc on the document named by the container (no inline script: CSP).
(function () {
  var container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.specUrl, {}, container);
})();

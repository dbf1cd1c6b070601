// The summary's print button. A file, not inline script: the page's CSP allows scripts from 'self' only.
// Without JavaScript the button stays hidden and the page says how to print from the browser.
(function () {
  "use strict";
  var button = document.getElementById("print-summary");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }
  if (document.body && document.body.getAttribute("data-autoprint") === "true") {
    window.addEventListener("load", function () {
      window.print();
    });
  }
})();

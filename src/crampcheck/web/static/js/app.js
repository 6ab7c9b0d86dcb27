// Starts the NHS.UK frontend components (header menu, error summary focus, exclusive checkboxes)
// and shows the print button. Every page also works without this: forms are plain POSTs.
import { initAll } from "/static/vendor/nhsuk-frontend.min.js";

initAll();

for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

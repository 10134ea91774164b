// The print view's button: printing needs script, which inline handlers may not run (CSP).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});

// Behaviour shared by every page: confirmation before destructive forms.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// On a phone a side panel (the mail's folders, the calendars, the support console's sections)
// folds behind a button: the person's choice, open or closed, holds from one page to the next,
// as in the mobile webmails. Without JavaScript nothing of this runs: the page is as it was.
document.querySelectorAll(".cv-sidemenu .fr-sidemenu__btn[aria-controls]").forEach((button) => {
  const id = button.getAttribute("aria-controls");
  const key = `cv-panel:${id}`;
  if (localStorage.getItem(key) === "open") {
    // The design system may have started already (then only its API opens the panel) or not
    // (then it opens the panels whose button says so).
    const collapse = window.dsfr?.(document.getElementById(id))?.collapse;
    if (collapse) collapse.disclose();
    else button.setAttribute("aria-expanded", "true");
  }
  new MutationObserver(() => {
    if (!button.offsetParent) return;  // wider screens show the panel with no button
    localStorage.setItem(key, button.getAttribute("aria-expanded") === "true" ? "open" : "closed");
  }).observe(button, { attributes: true, attributeFilter: ["aria-expanded"] });
});

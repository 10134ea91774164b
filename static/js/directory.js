// The directory's search: results as one types or changes a filter, without leaving the page.
// Without JavaScript the form is a plain GET form and works the same.
const form = document.getElementById("annuaire");
const results = document.getElementById("resultats");
const status = document.getElementById("resultats-statut");
let timer;
let latest = 0;

async function refresh() {
  const params = new URLSearchParams(new FormData(form));
  for (const [name, value] of [...params]) if (!value) params.delete(name);
  const query = params.toString();
  const ticket = ++latest;
  const response = await fetch(`${form.dataset.resultsUrl}?${query}`, {
    credentials: "same-origin", headers: { Accept: "text/html" },
  });
  // An answer to an older query that arrives late must not replace a newer one.
  if (!response.ok || ticket !== latest) return;
  results.innerHTML = await response.text();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  const summary = results.querySelector("[data-summary]");
  status.textContent = summary ? summary.dataset.summary : "";
}

form.q.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(refresh, 200);
});
form.addEventListener("change", (event) => {
  if (event.target.tagName === "SELECT") refresh();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  refresh();
});

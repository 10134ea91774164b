// «Règles de tri»: only the input each action needs, the live preview, and the progress of
// «Appliquer maintenant». The pages work without it.

// --- Each action line shows the folder, label or address input its action uses -----------
document.querySelectorAll("[data-line=action]").forEach((line) => {
  const type = line.querySelector("[data-action-type]");
  const update = () => {
    line.querySelectorAll("[data-needs]").forEach((group) => {
      group.hidden = !group.dataset.needs.split(" ").includes(type.value);
    });
  };
  type.addEventListener("change", update);
  update();
});

// --- Live preview: which of the last 200 messages the conditions match ------------------
const form = document.querySelector(".cv-rule-form");
const preview = document.querySelector("[data-preview]");
if (form && preview) {
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const ticket = ++asked;
    const response = await fetch(form.dataset.previewUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
    });
    if (ticket !== asked || !response.ok) return; // a newer question is on its way
    preview.innerHTML = await response.text();
  };
  const later = (event) => {
    if (!event.target.closest("[data-line=condition], select[name=match]")) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}

// --- «Appliquer maintenant»: progress bars follow the task until it ends ------------------
const announce = document.querySelector("[data-run-announce]");
document.querySelectorAll("[data-run-url]").forEach((item) => {
  const bar = item.querySelector("progress");
  const follow = async () => {
    const response = await fetch(item.dataset.runUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const run = await response.json();
    bar.max = Math.max(run.total, 1);
    bar.value = run.processed;
    bar.textContent = `${run.processed}/${run.total}`;
    item.querySelector("[data-run-status]").textContent = run.status_label;
    item.querySelector("[data-run-text]").textContent = run.text;
    if (run.finished) {
      const cancel = item.querySelector("[data-run-cancel]");
      if (cancel) cancel.hidden = true;
      if (announce) announce.textContent = `${run.status_label} — ${run.text}`;
      return;
    }
    setTimeout(follow, 1000);
  };
  follow();
});

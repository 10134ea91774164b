// Webmail behaviour on top of working HTML forms: every action also works without JavaScript.
const list = document.getElementById("liste");

document.querySelectorAll(".cv-nojs").forEach((el) => { el.hidden = true; });
document.querySelectorAll("[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
});

const selectAll = document.querySelector("[data-select-all]");
if (selectAll && list) {
  selectAll.addEventListener("change", () => {
    list.querySelectorAll("input[name=uid]").forEach((box) => { box.checked = selectAll.checked; });
  });
}

// --- Keyboard shortcuts (listed in the help dialog) ---------------------------------------
const help = document.getElementById("raccourcis");
document.querySelectorAll("[data-shortcuts-help]").forEach((button) => {
  button.addEventListener("click", () => help.showModal());
});
const rows = () => Array.from(document.querySelectorAll("tr.cv-row"));
let cursor = -1;

function focusRow(index) {
  const all = rows();
  if (!all.length) return;
  cursor = Math.max(0, Math.min(index, all.length - 1));
  all.forEach((row) => row.classList.remove("cv-cursor"));
  all[cursor].classList.add("cv-cursor");
  all[cursor].querySelector("a.cv-open").focus();
}

function actOnSelection(action) {
  if (!list) {
    const button = document.querySelector(`[data-shortcut="${action === "delete" ? "#" : action[0]}"]`);
    if (button) button.click();
    return;
  }
  const checked = list.querySelectorAll("input[name=uid]:checked");
  if (!checked.length && cursor >= 0) rows()[cursor].querySelector("input[name=uid]").checked = true;
  const button = list.querySelector(`[data-action="${action}"]`);
  if (button) button.click();
}

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest("input, textarea, select, [contenteditable]")) return;
  const link = (key) => document.querySelector(`a[data-shortcut="${key}"]`);
  switch (event.key) {
    case "j":
      if (rows().length) focusRow(cursor + 1); else if (link("j")) link("j").click();
      break;
    case "k":
      if (rows().length) focusRow(cursor - 1); else if (link("k")) link("k").click();
      break;
    case "x":
      if (cursor >= 0) {
        const box = rows()[cursor].querySelector("input[name=uid]");
        box.checked = !box.checked;
      }
      break;
    case "r":
    case "c":
      if (link(event.key)) link(event.key).click(); else return;
      break;
    case "a": actOnSelection("archive"); break;
    case "f": actOnSelection("flag"); break;
    case "#": actOnSelection("delete"); break;
    case "/": {
      const search = document.querySelector("[data-shortcut='/']");
      if (search) search.focus();
      break;
    }
    case "?": help.showModal(); break;
    default: return;
  }
  event.preventDefault();
});

// --- Drag messages onto a folder of the menu to move them ---------------------------------
if (list) {
  rows().forEach((row) => {
    row.addEventListener("dragstart", (event) => {
      row.querySelector("input[name=uid]").checked = true;
      event.dataTransfer.setData("text/plain", row.dataset.uid);
      event.dataTransfer.effectAllowed = "move";
    });
  });
  document.querySelectorAll("a.cv-folder[data-folder]").forEach((folder) => {
    folder.addEventListener("dragover", (event) => {
      event.preventDefault();
      folder.classList.add("cv-drop");
    });
    folder.addEventListener("dragleave", () => folder.classList.remove("cv-drop"));
    folder.addEventListener("drop", (event) => {
      event.preventDefault();
      const target = list.querySelector("select[name=target]");
      target.value = folder.dataset.folder;
      list.querySelector("button[name=action][value=move]").click();
    });
  });
}

// --- New mail shows up without a reload (when nothing is selected) -----------------------
if (list) {
  setInterval(async () => {
    if (document.hidden || list.querySelector("input[name=uid]:checked")) return;
    if (document.activeElement && document.activeElement.closest("#liste")) return;
    const response = await fetch(list.dataset.refreshUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const selector of ["#liste tbody", ".cv-folders", "#compte"]) {
      const now = document.querySelector(selector);
      const next = fresh.querySelector(selector);
      if (now && next && now.innerHTML !== next.innerHTML) now.replaceWith(next);
    }
  }, 30000);
}

// --- "Mark as read after N seconds" (a preference): the message stays unread until then ----
const reading = document.querySelector("[data-mark-read-after]");
if (reading) {
  const form = reading.querySelector("form.cv-toolbar");
  setTimeout(() => {
    const data = new FormData(form);
    data.set("action", "read");
    fetch(reading.dataset.markReadUrl, { method: "POST", body: data, credentials: "same-origin",
                                          redirect: "manual" });
  }, Number(reading.dataset.markReadAfter) * 1000);
}

// --- «Annuler» after a move or a deletion: offered for a few seconds, longer while the
// pointer or the keyboard is on it (the server accepts it for a few minutes) ------------
const undo = document.querySelector("[data-undo]");
if (undo) {
  let timer;
  const later = () => { clearTimeout(timer); timer = setTimeout(() => undo.remove(), 10000); };
  undo.addEventListener("mouseenter", () => clearTimeout(timer));
  undo.addEventListener("focusin", () => clearTimeout(timer));
  undo.addEventListener("mouseleave", later);
  undo.addEventListener("focusout", later);
  later();
}

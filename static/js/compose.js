// Writing: autosave every few seconds (server first, this browser as a last resort),
// attachments by drag and drop with their size checked before upload, upload progress.
const form = document.getElementById("ecrire");
const status = form.querySelector("[data-autosave-status]");
const keyField = form.querySelector("[name=draft_key]");
const storageKey = `convergence-draft-${keyField.value}`;
const fieldNames = ["sender", "to", "cc", "bcc", "subject", "body", "in_reply_to", "references"];
let dirty = false;

function snapshot() {
  const data = { key: keyField.value };
  for (const name of fieldNames) {
    const field = form.elements[name];
    if (field) data[name] = field.value;
  }
  return data;
}

// A draft kept only in this browser (the session had expired): offer it back.
const kept = localStorage.getItem(storageKey);
if (kept && !form.elements.body.value.trim()) {
  const data = JSON.parse(kept);
  for (const name of fieldNames) if (form.elements[name] && data[name]) form.elements[name].value = data[name];
  status.textContent = status.dataset.restored;
}

form.addEventListener("input", () => {
  dirty = true;
  localStorage.setItem(storageKey, JSON.stringify(snapshot()));
});

async function autosave() {
  if (!dirty) return;
  dirty = false;
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
  for (const [name, value] of Object.entries(snapshot())) body.append(name, value);
  try {
    const response = await fetch(form.dataset.autosaveUrl, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
    if (response.ok) {
      status.textContent = `${status.dataset.saved} ${new Date().toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`;
    } else {
      status.textContent = status.dataset.signedOut;
      dirty = true;
    }
  } catch {
    status.textContent = status.dataset.offline;
    dirty = true;
  }
}
setInterval(autosave, 5000);

// Attachments: drop files on the zone; refuse too much before anything is uploaded.
const input = form.querySelector("input[type=file]");
const error = form.querySelector("#pj-error");
const zone = form.querySelector("[data-dropzone]");
function checkSize() {
  const total = Array.from(input.files).reduce((sum, file) => sum + file.size, 0);
  const limit = Number(input.dataset.limit);
  const tooBig = total > limit;
  error.hidden = !tooBig;
  if (tooBig) error.textContent = error.dataset.tooBig;
  return !tooBig;
}
input.addEventListener("change", checkSize);
zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("cv-drop"); });
zone.addEventListener("dragleave", () => zone.classList.remove("cv-drop"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("cv-drop");
  const files = new DataTransfer();
  for (const file of [...input.files, ...event.dataTransfer.files]) files.items.add(file);
  input.files = files.files;
  checkSize();
});

// Sending with attachments shows its progress; the server's answer replaces the page.
form.addEventListener("submit", (event) => {
  if (!checkSize()) { event.preventDefault(); return; }
  localStorage.removeItem(storageKey);
  if (!input.files.length) return;
  event.preventDefault();
  const progress = form.querySelector(".cv-progress");
  progress.hidden = false;
  const request = new XMLHttpRequest();
  request.open("POST", form.action || window.location.href);
  request.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress.value = (100 * e.loaded) / e.total; });
  request.addEventListener("load", () => {
    if (request.responseURL && request.responseURL !== window.location.href) window.location.assign(request.responseURL);
    else { document.open(); document.write(request.responseText); document.close(); }
  });
  request.addEventListener("error", () => { progress.hidden = true; status.textContent = status.dataset.failed; });
  request.send(new FormData(form));
});

// Signatures: switching replaces the block that was inserted, wherever it is in the text.
const body = form.elements.body;
const signatures = JSON.parse(document.getElementById("signatures-data").textContent);
const signatureSelect = document.querySelector("[data-signature]");
let currentSignature = signatures[signatureSelect.value] ? `\n\n-- \n${signatures[signatureSelect.value]}` : "";
signatureSelect.addEventListener("change", () => {
  const next = signatures[signatureSelect.value] ? `\n\n-- \n${signatures[signatureSelect.value]}` : "";
  if (currentSignature && body.value.includes(currentSignature)) body.value = body.value.replace(currentSignature, next);
  else body.value = body.value.replace(/^/, next ? `${next}` : "");
  currentSignature = next;
  dirty = true;
});

// Templates: one click fills subject and text; {prénom}, {nom}, {classe}, {date} get fields.
const templates = JSON.parse(document.getElementById("templates-data").textContent);
const variables = document.querySelector("[data-variables]");
const variableFields = variables.querySelector(".cv-variables__fields");
document.querySelector("[data-template]").addEventListener("change", (event) => {
  const template = templates[event.target.value];
  if (!template) return;
  if (template.subject) form.elements.subject.value = template.subject;
  body.value = template.body + body.value;
  dirty = true;
  const names = [...new Set((template.subject + template.body).match(/\{[^{}\s]{1,20}\}/g) || [])];
  variableFields.replaceChildren();
  for (const name of names) {
    const id = `variable-${variableFields.children.length}`;
    const group = document.createElement("div");
    group.className = "fr-input-group";
    const label = document.createElement("label");
    label.className = "fr-label";
    label.htmlFor = id;
    label.textContent = name.slice(1, -1);
    const input = document.createElement("input");
    input.className = "fr-input";
    input.id = id;
    input.dataset.name = name;
    if (name === "{date}") input.value = new Date().toLocaleDateString(document.documentElement.lang);
    group.append(label, input);
    variableFields.append(group);
  }
  variables.hidden = names.length === 0;
  if (names.length) variableFields.querySelector("input").focus();
});
variables.querySelector("[data-fill]").addEventListener("click", () => {
  for (const input of variableFields.querySelectorAll("input")) {
    if (!input.value) continue;
    body.value = body.value.split(input.dataset.name).join(input.value);
    form.elements.subject.value = form.elements.subject.value.split(input.dataset.name).join(input.value);
  }
  variables.hidden = true;
  dirty = true;
});

// Recipients: suggestions from the directory and recent correspondents, per address typed.
const list = document.createElement("datalist");
list.id = "adresses";
form.append(list);
for (const name of ["to", "cc", "bcc"]) {
  const field = form.elements[name];
  field.setAttribute("list", "adresses");
  field.setAttribute("autocomplete", "off");
  let timer;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const parts = field.value.split(",");
      const typed = parts.pop().trim();
      if (typed.length < 2) return;
      const response = await fetch(`${form.dataset.addressesUrl}?q=${encodeURIComponent(typed)}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const { results } = await response.json();
      const before = parts.map((p) => p.trim()).filter(Boolean);
      list.replaceChildren(...results.map((address) => {
        const option = document.createElement("option");
        option.value = [...before, address].join(", ");
        return option;
      }));
    }, 200);
  });
}

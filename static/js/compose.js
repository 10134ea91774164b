// Writing: a formatting editor over the plain-text field (which stays the no-JS fallback),
// autosave every few seconds (server first, this browser as a last resort), signatures and
// templates, attachments dropped and size-checked before upload (recipient suggestions:
// directory-suggest.js).
const form = document.getElementById("ecrire");
const status = form.querySelector("[data-autosave-status]");
const keyField = form.elements.draft_key;
const body = form.elements.body;
const html = form.elements.html;
// One unsent draft per browser: found again even from a new page after signing in again.
const storageKey = "convergence-unsent-draft";
const fieldNames = ["sender", "to", "cc", "bcc", "subject", "body", "html", "in_reply_to", "references", "forward", "send_at", "carried_from"];
let dirty = false;

// --- The editor (Quill): bold, lists, links, tables; pasting from Word is cleaned by Quill ---
const editorBox = form.querySelector("[data-editor]");
let quill = null;
if (window.Quill) {
  editorBox.hidden = false;
  body.hidden = true;
  quill = new window.Quill(editorBox, {
    theme: "snow",
    modules: {
      table: true,
      toolbar: {
        container: [["bold", "italic", "underline"], [{ list: "ordered" }, { list: "bullet" }],
                    ["link", "blockquote"], ["table"], ["clean"]],
        handlers: { table() { quill.getModule("table").insertTable(2, 2); } },
      },
    },
  });
  const labels = JSON.parse(document.getElementById("editor-labels").textContent);
  form.querySelectorAll(".ql-toolbar button").forEach((button) => {
    const name = button.className.replace("ql-", "").split(" ")[0];
    const label = labels[button.value ? `${name}-${button.value}` : name];
    if (label) { button.setAttribute("aria-label", label); button.title = label; }
  });
  // A contenteditable div may carry a name only with a role (axe: aria-prohibited-attr).
  const area = editorBox.querySelector(".ql-editor");
  area.setAttribute("role", "textbox");
  area.setAttribute("aria-multiline", "true");
  area.setAttribute("aria-labelledby", "message-label");
  form.querySelector("#message-label").addEventListener("click", () => quill.focus());
  if (html.value) quill.clipboard.dangerouslyPasteHTML(html.value);
  else {
    quill.setText(body.value);
    if (form.elements.in_reply_to.value) quoteAsBlock();
  }
  quill.on("text-change", () => {
    body.value = plainText();
    // Quill 2 writes every space as &nbsp;, which would stop mail readers wrapping lines.
    html.value = quill.getSemanticHTML().replaceAll("&nbsp;", " ");
    form.dispatchEvent(new Event("input"));
  });
}

// «Répondre»: the server quotes the original as "> " lines (what the plain text part and the
// no-JS page show); in the editor they become a formatted quotation, as in Outlook or Gmail.
function quoteAsBlock() {
  for (const line of quill.getLines()) {
    const start = quill.getIndex(line);
    const text = quill.getText(start, line.length());
    if (!text.startsWith(">")) continue;
    quill.deleteText(start, text.startsWith("> ") ? 2 : 1, "silent");
    quill.formatLine(start, 1, "blockquote", true, "silent");
  }
}
// The plain text part: quoted lines get their "> " back.
function plainText() {
  return quill.getLines().map((line) => {
    const text = quill.getText(quill.getIndex(line), line.length()).replace(/\n$/, "");
    if (!line.formats().blockquote) return text;
    return text ? `> ${text}` : ">";
  }).join("\n");
}
function bodyText() { return quill ? quill.getText() : body.value; }
function insertAtStart(text) {
  if (quill) quill.insertText(0, text, "user"); else body.value = text + body.value;
}
function replaceAll(token, value) {
  if (!quill) { body.value = body.value.split(token).join(value); return; }
  let index = quill.getText().indexOf(token);
  while (index !== -1) {
    const format = quill.getFormat(index, token.length);
    quill.deleteText(index, token.length, "user");
    quill.insertText(index, value, format, "user");
    index = quill.getText().indexOf(token, index + value.length);
  }
}

// --- Autosave ----------------------------------------------------------------------------
function snapshot() {
  const data = { key: keyField.value };
  for (const name of fieldNames) if (form.elements[name]) data[name] = form.elements[name].value;
  data.carried = [...form.querySelectorAll("input[name=carried]:checked")].map((box) => box.value).join(",");
  for (const name of ["high_priority", "read_receipt", "send_now"]) {
    if (form.elements[name]) data[name] = form.elements[name].checked ? "on" : "";
  }
  return data;
}

const kept = JSON.parse(localStorage.getItem(storageKey) || "null");
const typedHere = bodyText().replace(/\n-- \n[\s\S]*$/, "").trim();
if (kept && !typedHere && (kept.body || "").trim()) {
  const data = kept;
  for (const name of fieldNames) if (form.elements[name] && data[name]) form.elements[name].value = data[name];
  if (data.key) keyField.value = data.key;
  if (quill) { if (data.html) quill.clipboard.dangerouslyPasteHTML(data.html); else quill.setText(data.body || ""); }
  status.textContent = status.dataset.restored;
}

form.addEventListener("input", () => {
  dirty = true;
  localStorage.setItem(storageKey, JSON.stringify(snapshot()));
});

async function autosave() {
  if (!dirty) return;
  dirty = false;
  const data = new FormData();
  data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
  for (const [name, value] of Object.entries(snapshot())) data.append(name, value);
  try {
    const response = await fetch(form.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" });
    if (response.ok) {
      if (!dirty) localStorage.removeItem(storageKey);  // the server has all of it now
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

// --- Signatures: switching replaces the block that was inserted ---------------------------
const signatures = JSON.parse(document.getElementById("signatures-data").textContent);
const signatureSelect = form.querySelector("[data-signature]");
const signatureBlock = (id) => (signatures[id] ? `\n\n-- \n${signatures[id]}` : "");
let currentSignature = signatureBlock(signatureSelect.value);
signatureSelect.addEventListener("change", () => {
  const next = signatureBlock(signatureSelect.value);
  if (currentSignature && bodyText().includes(currentSignature)) replaceAll(currentSignature, next);
  else if (next) insertAtStart(next);
  currentSignature = next;
  form.dispatchEvent(new Event("input"));
});

// --- Templates: one click fills subject and text; {prénom}, {nom}, {classe}, {date} get fields
const templates = JSON.parse(document.getElementById("templates-data").textContent);
const variables = form.querySelector("[data-variables]");
const variableFields = variables.querySelector(".cv-variables__fields");
form.querySelector("[data-template]").addEventListener("change", (event) => {
  const template = templates[event.target.value];
  if (!template) return;
  if (template.subject) form.elements.subject.value = template.subject;
  insertAtStart(template.body);
  form.dispatchEvent(new Event("input"));
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
    replaceAll(input.dataset.name, input.value);
    form.elements.subject.value = form.elements.subject.value.split(input.dataset.name).join(input.value);
  }
  variables.hidden = true;
  form.dispatchEvent(new Event("input"));
});

// --- Attachments: dropped on the zone, refused when too large before any upload ----------
const input = form.querySelector("input[type=file]");
const error = form.querySelector("#pj-error");
const zone = form.querySelector("[data-dropzone]");
function checkSize() {
  const large = Number(input.dataset.large);
  const files = Array.from(input.files);
  const total = files.filter((file) => file.size < large).reduce((sum, file) => sum + file.size, 0);
  const tooBig = total > Number(input.dataset.limit) || files.some((file) => file.size > Number(input.dataset.max));
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

// --- Sending with attachments shows its progress; the server's answer replaces the page --
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

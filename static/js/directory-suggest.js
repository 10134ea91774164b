// Suggestions from the directory under a text field (compose «À», «Cc», «Cci»; the person to
// add to a shared mailbox): an ARIA 1.2 combobox over the plain field, which keeps working
// alone. Arrows move, Enter or a click chooses, Escape closes; a live region says how many
// suggestions came. The including template names the fields (directory/_suggest.html).
const labels = document.getElementById("suggest-labels").dataset;
const multiple = labels.multiple === "true";  // comma-separated addresses

function liveRegion(form) {
  let status = form.querySelector(".cv-suggest-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "fr-sr-only cv-suggest-status";
    status.setAttribute("role", "status");
    form.append(status);
  }
  return status;
}

function combobox(field) {
  const status = liveRegion(field.form);
  const list = document.createElement("ul");
  list.id = `${field.id}-suggestions`;
  list.className = "cv-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", labels.listbox);
  list.hidden = true;
  field.after(list);
  field.setAttribute("role", "combobox");
  field.setAttribute("aria-autocomplete", "list");
  field.setAttribute("aria-controls", list.id);
  field.setAttribute("aria-expanded", "false");
  field.setAttribute("autocomplete", "off");
  let active = -1;
  let timer;
  let ticket = 0;

  const options = () => [...list.children];
  function close() {
    // An answer still on its way is for what was typed before: it must not reopen the list
    // over the form (its button then got the click).
    clearTimeout(timer);
    ticket += 1;
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    options().forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index < 0) field.removeAttribute("aria-activedescendant");
    else {
      field.setAttribute("aria-activedescendant", options()[index].id);
      options()[index].scrollIntoView({ block: "nearest" });
    }
  }
  function choose(option) {
    if (multiple) {
      const parts = field.value.split(",");
      parts.pop();
      const before = parts.map((part) => part.trim()).filter(Boolean);
      field.value = `${[...before, option.dataset.value].join(", ")}, `;
    } else field.value = option.dataset.value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    close();
    field.focus();
  }
  async function refresh() {
    const typed = (multiple ? field.value.split(",").pop() : field.value).trim();
    if (typed.length < 2) { close(); return; }
    const mine = ++ticket;
    const response = await fetch(`${labels.url}?q=${encodeURIComponent(typed)}`, { credentials: "same-origin" });
    if (!response.ok || mine !== ticket) return;
    const { results } = await response.json();
    list.replaceChildren(...results.map((suggestion, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.value = suggestion.value;
      const name = document.createElement("strong");
      name.textContent = suggestion.label;
      const detail = document.createElement("span");
      detail.className = "cv-muted";
      detail.textContent = suggestion.kind === "recent" ? labels.recent : suggestion.detail;
      option.append(name, " ", detail);
      // mousedown, not click: the field must not lose focus (and close the list) first.
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(option); });
      return option;
    }));
    active = -1;
    list.hidden = !results.length;
    field.setAttribute("aria-expanded", String(Boolean(results.length)));
    status.textContent = results.length === 1 ? labels.one
      : results.length ? labels.many.replace("{n}", results.length) : "";
  }

  field.addEventListener("input", (event) => {
    if (!event.isTrusted) return;  // our own choice, not typing
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  field.addEventListener("keydown", (event) => {
    const count = options().length;
    if (list.hidden || !count) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % count); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + count) % count); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(options()[active]); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  field.addEventListener("blur", close);
}

for (const id of labels.fields.split(" ")) {
  const field = document.getElementById(id);
  if (field) combobox(field);
}

// The scheduling assistant of the event form: the attendees' busy times side by side on the
// event's day, working hours shaded, and «premier créneau libre pour tous». Without this
// script the section stays hidden and the form works as before.
const root = document.querySelector("[data-scheduling]");
const DAYS_AHEAD = 7;
const STEP = 15; // minutes between candidate starts

// Wall-clock times of the agenda's zone, as minutes: the server sends "2026-11-16T10:00:00+01:00"
// in that zone, and the form's fields are in it too, so no browser time zone is involved.
function minutesOf(day, time) {
  const [y, m, d] = day.split("-").map(Number);
  const [h, mi] = (time || "00:00").split(":").map(Number);
  return Date.UTC(y, m - 1, d, h, mi) / 60000;
}
const wall = (iso) => minutesOf(iso.slice(0, 10), iso.slice(11, 16));
function dayOf(minutes) { return new Date(minutes * 60000).toISOString().slice(0, 10); }
function timeOf(minutes) { return new Date(minutes * 60000).toISOString().slice(11, 16); }
const hourMinutes = (text) => { const [h, m] = text.split(":").map(Number); return h * 60 + m; };

function init(section) {
  const form = section.closest("form");
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const status = section.querySelector("[data-scheduling-status]");
  const gridBox = section.querySelector("[data-scheduling-grid]");
  const data = section.dataset;
  const first = Number(data.firstHour) * 60;
  const last = Number(data.lastHour) * 60;
  const work = data.workStart && data.workEnd ? [hourMinutes(data.workStart), hourMinutes(data.workEnd)] : null;
  const workDays = new Set((data.workDays || "1,2,3,4,5").split(",").map(Number));
  let loaded = null; // {from, people}
  let applying = false; // the assistant itself is filling the date fields

  const shared = () => [...form.querySelectorAll('[name="participants"]')];
  if (shared().length) section.querySelector("[data-own-addresses]").hidden = true;
  section.hidden = false;

  function addresses() {
    const sources = shared().length ? shared() : [section.querySelector("[name=assistant_participants]")];
    const values = sources.flatMap((input) => input.tagName === "SELECT"
      ? [...input.selectedOptions].map((o) => o.value) : [input.value]);
    // «Nom <adresse>» or bare addresses, separated by commas, semicolons or lines.
    const found = values.join(",").split(/[\s,;<>"]+/).map((a) => a.trim()).filter((a) => a.includes("@"));
    return [...new Set([data.self, ...found].filter(Boolean).map((a) => a.toLowerCase()))];
  }

  function eventSpan() {
    const day = field("start_date").value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
    const start = minutesOf(day, field("start_time").value || "09:00");
    const endDay = field("end_date").value || day;
    let end = minutesOf(endDay, field("end_time").value || "10:00");
    if (end <= start) end = start + 60;
    return { day, start, end };
  }

  async function load() {
    const span = eventSpan();
    if (!span) return null;
    const params = new URLSearchParams();
    addresses().forEach((a) => params.append("email", a));
    params.set("debut", `${span.day}T00:00:00`);
    params.set("fin", `${dayOf(minutesOf(span.day) + DAYS_AHEAD * 1440)}T00:00:00`);
    const response = await fetch(`${data.url}?${params}`, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.erreur || data.textError);
    loaded = { from: span.day, people: body.personnes, holidays: new Set(body.jours_feries || []) };
    return loaded;
  }

  function place(element, start, end, dayStart) {
    const from = Math.max(start - dayStart, first);
    const to = Math.min(end - dayStart, last);
    element.style.left = `${((from - first) / (last - first)) * 100}%`;
    element.style.width = `${(Math.max(to - from, 0) / (last - first)) * 100}%`;
    return to > from;
  }

  function draw() {
    const span = eventSpan();
    gridBox.replaceChildren();
    if (!span || !loaded) return;
    const dayStart = minutesOf(span.day);
    const weekday = new Date(dayStart * 60000).getUTCDay() || 7;
    const scale = document.createElement("div");
    scale.className = "cv-fb-hours";
    scale.setAttribute("aria-hidden", "true");
    const ruler = document.createElement("div");
    ruler.className = "cv-fb-scale";
    for (let hour = first / 60; hour <= last / 60; hour += 2) {
      const tick = document.createElement("span");
      tick.textContent = `${hour} h`;
      tick.style.left = `${((hour * 60 - first) / (last - first)) * 100}%`;
      ruler.append(tick);
    }
    scale.append(document.createElement("span"), ruler);
    gridBox.append(scale);
    loaded.people.forEach((person) => {
      const row = document.createElement("div");
      row.className = "cv-fb-row";
      const name = document.createElement("div");
      name.className = "cv-fb-name";
      const own = person.email.toLowerCase() === (data.self || "").toLowerCase();
      name.textContent = own ? data.selfLabel : (person.nom || person.email);
      const track = document.createElement("div");
      track.className = "cv-fb-track";
      track.setAttribute("aria-hidden", "true");
      const shade = (from, to) => {
        const off = document.createElement("div");
        off.className = "cv-fb-off";
        if (place(off, dayStart + from, dayStart + to, dayStart)) track.append(off);
      };
      if (work && workDays.has(weekday)) { shade(first, work[0]); shade(work[1], last); } else if (work) shade(first, last);
      const said = [];
      person.occupe.forEach((busy) => {
        const start = wall(busy.debut);
        const end = wall(busy.fin);
        if (end <= dayStart || start >= dayStart + 1440) return;
        const block = document.createElement("div");
        block.className = "cv-fb-busy";
        block.textContent = busy.titre;
        block.title = `${busy.titre} ${timeOf(start)} – ${timeOf(end)}`;
        if (place(block, start, end, dayStart)) track.append(block);
        said.push(busy.journee ? busy.titre : `${timeOf(Math.max(start, dayStart))} – ${timeOf(Math.min(end, dayStart + 1439))}`);
      });
      const proposed = document.createElement("div");
      proposed.className = "cv-fb-event";
      if (place(proposed, span.start, span.end, dayStart)) track.append(proposed);
      const spoken = document.createElement("span");
      spoken.className = "fr-sr-only";
      spoken.textContent = !person.connu ? ` : ${data.textUnknown}`
        : ` : ${said.length ? `${data.textBusy} ${said.join(", ")}` : data.textFree}`;
      name.append(spoken);
      row.append(name, track);
      gridBox.append(row);
    });
    section.querySelector("[data-scheduling-legend]").hidden = false;
  }

  async function show() {
    try {
      await load();
      status.textContent = "";
      draw();
    } catch (error) {
      status.textContent = error.message;
    }
  }

  function firstFree() {
    const span = eventSpan();
    const length = span.end - span.start;
    const busy = loaded.people.flatMap((p) => p.occupe.map((b) => [wall(b.debut), wall(b.fin)]));
    const base = minutesOf(loaded.from);
    for (let day = 0; day < DAYS_AHEAD; day += 1) {
      const dayStart = base + day * 1440;
      const weekday = new Date(dayStart * 60000).getUTCDay() || 7;
      if ((work && !workDays.has(weekday)) || loaded.holidays.has(dayOf(dayStart))) continue;
      const [open, close] = work || [0, 1440];
      for (let start = dayStart + open; start + length <= dayStart + close; start += STEP) {
        if (busy.every(([from, to]) => to <= start || from >= start + length)) return [start, start + length];
      }
    }
    return null;
  }

  async function suggest() {
    try {
      await load();
    } catch (error) {
      status.textContent = error.message;
      return;
    }
    const slot = firstFree();
    if (!slot) {
      status.textContent = data.textNone;
      draw();
      return;
    }
    const [start, end] = slot;
    applying = true;
    const set = (name, value) => { field(name).value = value; field(name).dispatchEvent(new Event("change", { bubbles: true })); };
    set("start_date", dayOf(start));
    set("start_time", timeOf(start));
    set("end_date", dayOf(end));
    set("end_time", timeOf(end));
    applying = false;
    const when = new Date(start * 60000).toLocaleDateString(document.documentElement.lang || "fr",
      { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
    status.textContent = `${data.textFound} ${when}, ${timeOf(start)} – ${timeOf(end)}`;
    if (loaded.from !== dayOf(start)) await load();
    draw();
  }

  section.querySelector("[data-scheduling-show]").addEventListener("click", show);
  // The attendees changed (the invitations' field, or the assistant's own): shown again.
  [...shared(), section.querySelector("[name=assistant_participants]")].forEach((input) => {
    input.addEventListener("change", show);
  });
  section.querySelector("[data-scheduling-first]").addEventListener("click", suggest);
  ["start_date", "start_time", "end_date", "end_time"].forEach((name) => {
    field(name)?.addEventListener("change", () => {
      if (!loaded || applying) return;
      (loaded.from === field("start_date").value ? Promise.resolve() : load()).then(draw).catch(() => {});
    });
  });
  show(); // the person's own day at once; the attendees' as they are named
}

if (root) init(root);

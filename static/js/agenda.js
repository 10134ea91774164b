// The agenda's time grid and form helpers. Without this script the pages stay usable: days are
// plain lists and every field of the form is shown.
const HOUR_PX = 48;

function paint() {
  document.querySelectorAll("[data-color]").forEach((element) => {
    const color = element.dataset.color;
    if (!/^#[0-9a-fA-F]{6}$/.test(color)) return;
    if (element.classList.contains("cv-swatch")) element.style.background = color;
    else element.style.borderLeftColor = color;
  });
}

function layOutWeek() {
  const week = document.querySelector(".cv-week");
  if (!week || !window.matchMedia("(min-width: 48em)").matches) return;
  const first = Number(week.dataset.firstHour);
  const last = Number(week.dataset.lastHour);
  const height = (last - first) * HOUR_PX;
  const days = [...week.querySelectorAll(".cv-day")];
  // Every day's grid starts at the same height, whatever its title and all-day events take.
  const offsets = days.map((day) => day.querySelector(".cv-timed").offsetTop - day.offsetTop);
  const header = Math.max(...offsets);
  days.forEach((day, index) => {
    const timed = day.querySelector(".cv-timed");
    timed.classList.add("cv-grid");
    timed.style.height = `${height}px`;
    timed.style.marginTop = `${header - offsets[index]}px`;
    // Overlapping events share the width of the column.
    const items = [...timed.querySelectorAll(".cv-positioned")];
    const columns = [];
    items.forEach((item) => {
      const top = Number(item.dataset.top);
      const bottom = top + Number(item.dataset.height);
      let column = columns.findIndex((end) => end <= top);
      if (column === -1) { column = columns.length; columns.push(bottom); } else columns[column] = bottom;
      item.dataset.column = column;
      item.style.top = `${(top / 60) * HOUR_PX}px`;
      item.style.height = `${Math.max((Number(item.dataset.height) / 60) * HOUR_PX, 20)}px`;
    });
    items.forEach((item) => {
      const width = 100 / columns.length;
      item.style.left = `${Number(item.dataset.column) * width}%`;
      item.style.right = "auto";
      item.style.width = `${width}%`;
    });
    selectSlots(timed, day.dataset.date, first, last);
  });
  week.querySelector(".cv-hours").style.paddingTop = `${header}px`;
}

// A click on free time opens the form for an hour from there; a drag, for the time dragged
// over (in quarters of an hour). The «Créer un événement» button is the keyboard's way.
const SLOT = 15;

function clock(minutes) {
  const h = String(Math.floor(minutes / 60)).padStart(2, "0");
  return `${h}:${String(minutes % 60).padStart(2, "0")}`;
}

function selectSlots(timed, date, first, last) {
  const span = (last - first) * 60;
  const at = (clientY) => {
    const y = clientY - timed.getBoundingClientRect().top;
    const minutes = Math.min(Math.max((y / HOUR_PX) * 60, 0), span - SLOT);
    return Math.floor(minutes / SLOT) * SLOT;
  };
  let from = null;
  let to = null;
  let box = null;
  const show = () => {
    const low = Math.min(from, to);
    const high = Math.max(from, to) + SLOT;
    box.style.top = `${(low / 60) * HOUR_PX}px`;
    box.style.height = `${((high - low) / 60) * HOUR_PX}px`;
    box.textContent = `${clock(first * 60 + low)} – ${clock(first * 60 + high)}`;
    return [low, high];
  };
  timed.addEventListener("pointerdown", (event) => {
    if (event.target !== timed || event.button !== 0) return;
    event.preventDefault();
    timed.setPointerCapture(event.pointerId);
    from = at(event.clientY);
    to = from;
    box = document.createElement("li");
    box.className = "cv-selection";
    box.setAttribute("aria-hidden", "true");
    timed.append(box);
    show();
  });
  timed.addEventListener("pointermove", (event) => {
    if (box === null) return;
    to = at(event.clientY);
    show();
  });
  const finish = (event, go) => {
    if (box === null) return;
    let [low, high] = show();
    box.remove();
    box = null;
    if (event.type === "pointerup" && timed.hasPointerCapture(event.pointerId)) {
      timed.releasePointerCapture(event.pointerId);
    }
    if (!go) return;
    if (high - low === SLOT) {
      // A click: an hour from the half-hour clicked.
      low = Math.floor(low / 30) * 30;
      high = Math.min(low + 60, span);
    }
    const start = clock(first * 60 + low);
    const end = clock(first * 60 + high);
    window.location.href = `/agenda/evenement/nouveau/?date=${date}&debut=${start}&fin=${end}`;
  };
  timed.addEventListener("pointerup", (event) => finish(event, true));
  timed.addEventListener("pointercancel", (event) => finish(event, false));
}

function formHelpers() {
  const form = document.querySelector(".cv-event-form");
  if (!form) return;
  const allDay = form.querySelector("#id_all_day");
  const frequency = form.querySelector("#id_frequency");
  const update = () => {
    form.querySelectorAll("[data-timed]").forEach((el) => { el.hidden = allDay.checked; });
    form.querySelectorAll("[data-repeat]").forEach((el) => {
      const wanted = el.dataset.repeat;
      el.hidden = !frequency.value || (wanted && wanted !== frequency.value);
    });
  };
  allDay.addEventListener("change", update);
  frequency.addEventListener("change", update);
  update();
}

paint();
layOutWeek();
formHelpers();

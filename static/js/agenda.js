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
    // A click on free time starts an event there (the «Créer un événement» button is the
    // keyboard's way).
    timed.addEventListener("click", (event) => {
      if (event.target !== timed) return;
      const hour = first + Math.floor((event.offsetY) / HOUR_PX);
      window.location.href = `/agenda/evenement/nouveau/?date=${day.dataset.date}&heure=${hour}`;
    });
  });
  week.querySelector(".cv-hours").style.paddingTop = `${header}px`;
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

// New mail told in the page without a reload: the server applies quiet hours and urgent
// senders, this only shows what it returns (and, if allowed, a notification of the browser).
const region = document.querySelector("[data-notices-url]");

function showNotice(notice) {
  const alert = document.createElement("div");
  alert.className = "fr-alert fr-alert--info fr-alert--sm fr-mb-1w cv-notice";
  const text = document.createElement("p");
  text.textContent = `${region.dataset.textNew} ${notice.sender} : « ${notice.subject} » `;
  const link = document.createElement("a");
  link.className = "fr-link";
  link.href = notice.url;
  link.textContent = region.dataset.textRead;
  text.append(link);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "fr-btn--close fr-btn";
  close.title = region.dataset.textClose;
  close.textContent = region.dataset.textClose;
  close.addEventListener("click", () => alert.remove());
  alert.append(text, close);
  region.append(alert);
}

function browserNotice(notice) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const shown = new Notification(`${region.dataset.textNew} ${notice.sender}`, { body: notice.subject, tag: notice.url });
  shown.addEventListener("click", () => { window.focus(); window.location.assign(notice.url); });
}

if (region) {
  let last = null;
  const poll = async () => {
    let next = 30;
    try {
      const url = new URL(region.dataset.noticesUrl, window.location.href);
      if (last !== null) url.searchParams.set("apres", last);
      const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
      if (response.ok) {
        const data = await response.json();
        next = data.next;
        if (last !== null) {
          for (const notice of data.notices) {
            showNotice(notice);
            if (data.browser) browserNotice(notice);
          }
        }
        last = data.last;
      }
    } catch { /* offline for a moment: try again at the next turn */ }
    setTimeout(poll, next * 1000);
  };
  poll();
}

// The preferences page: the browser only asks for permission after a click.
const permission = document.querySelector("[data-permission]");
if (permission && "Notification" in window) {
  permission.hidden = false;
  const status = permission.querySelector("[data-permission-status]");
  const say = () => {
    if (Notification.permission === "granted") status.textContent = permission.dataset.granted;
    else if (Notification.permission === "denied") status.textContent = permission.dataset.denied;
  };
  say();
  permission.querySelector("[data-ask-permission]").addEventListener("click", async () => {
    await Notification.requestPermission();
    say();
  });
}

// The order page's live SLA countdown: each <time data-due> shows the wall-clock time left
// (or overdue) until its deadline, every second. Working-time deadlines are already placed
// on the calendar by the server; this only counts down to that instant.
const marks = [...document.querySelectorAll('time.countdown[data-due]')];

function format(ms) {
  const overdue = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n) => String(n).padStart(2, '0');
  const text = `${d > 0 ? `${d}d ` : ''}${pad(h)}:${pad(m)}:${pad(s)}`;
  return overdue ? `-${text}` : text;
}

function tick() {
  const now = Date.now();
  for (const mark of marks) {
    const left = Date.parse(mark.dataset.due ?? '') - now;
    if (Number.isNaN(left)) continue;
    mark.textContent = format(left);
    mark.dataset.overdue = String(left < 0);
  }
}

if (marks.length > 0) {
  tick();
  setInterval(tick, 1000);
}

// The nav badge of firing critical alerts: polled every 15 s so the watch sees a new outage
// without reloading whatever page it is on.
import { api } from './common.js';

const badge = document.getElementById('alert-badge');
const everyMs = 15_000;

async function refresh() {
  if (!badge || document.visibilityState !== 'visible') return;
  const answer = await api('GET', '/api/v1/alerts/counts');
  if (!answer.ok) return;
  const count = Number(answer.data?.firing_critical ?? 0);
  badge.textContent = String(count);
  badge.dataset.count = String(count);
  badge.hidden = count === 0;
}

setInterval(refresh, everyMs);
document.addEventListener('visibilitychange', refresh);

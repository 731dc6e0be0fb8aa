// The ops panel shows live state: reload it every 30 s while it is visible.
setInterval(() => {
  if (document.visibilityState === 'visible') window.location.reload();
}, 30_000);

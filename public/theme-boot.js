// Sets <html data-theme> before the first paint. The app's bundle is a module script, which
// runs only after the page has painted index.html's placeholder; a saved (or system) dark
// theme applied there showed a light page for the first ~0.3 s. A classic script in <head>
// blocks the first paint instead (the Content-Security-Policy allows no inline script).
// Must choose as initialTheme() in src/ui/store.ts does: the saved choice, else the system's.
(function () {
  var theme = null;
  try {
    var saved = localStorage.getItem('mshare-explorer.theme');
    if (saved === 'light' || saved === 'dark') theme = saved;
  } catch (e) {
    /* storage may be off */
  }
  if (!theme) theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = theme;
})();

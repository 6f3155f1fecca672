// Waits for the app to answer a mobile login or signing request (docs/mobile-protocol.md) without
// reloading the page: polls the request's status every two seconds and, once it is completed,
// submits the page's own "Verder" form. Without JavaScript that button does the same by hand.
(function () {
  'use strict';
  var page = document.querySelector('[data-mobile-status]');
  if (!page) return;
  var statusUrl = page.getAttribute('data-mobile-status');
  var live = document.getElementById('mobiel-status');
  var form = document.getElementById('mobiel-verder');
  var texts = JSON.parse(page.getAttribute('data-mobile-texts') || '{}');
  var stopped = false;

  function show(text) {
    if (live && text && live.textContent !== text) live.textContent = text;
  }

  function poll() {
    if (stopped) return;
    fetch(statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 429) return null;  // too soon: the next round asks again
        return response.json();
      })
      .then(function (state) {
        if (!state) return;
        if (state.status === 'completed') {
          stopped = true;
          show(texts.completed);
          if (form) form.submit();
          return;
        }
        if (state.status === 'expired' || state.status === 'cancelled' || state.status === 'used') {
          stopped = true;
          // A cancel by the app (a wrong number) says why; a new request is needed either way.
          show(state.reason || texts[state.status]);
          return;
        }
        if (state.reason) show(state.reason);
      })
      .catch(function () { /* a network hiccup: try again next round */ })
      .then(function () { if (!stopped) window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();

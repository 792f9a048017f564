// Owner's panel, domain proof: the worker runs the check; this follows its state and, once done,
// opens the page that shows the result (the overview when proven, this page with the reason if not).
// Without JavaScript the page refreshes itself (<noscript> meta refresh) and has a Refresh link.
(function () {
  'use strict';
  var box = document.getElementById('domain-check');
  var line = document.getElementById('domain-check-state');
  if (!box || !line || !window.fetch) return;
  var url = box.getAttribute('data-status-url');
  var delay = 1000;
  var deadline = Date.now() + 5 * 60 * 1000;  // a lost check stops being polled; the Refresh link stays
  function show(state) {
    if (line.getAttribute('data-state') === state) return;
    line.setAttribute('data-state', state);
    line.textContent = box.getAttribute('data-' + state) || '';
  }
  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (answer) {
        show(answer.state);
        if (answer.state === 'done') {
          window.location.assign(answer.next);
          return;
        }
        delay = 1000;
        if (Date.now() < deadline) window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);  // the server or the network hiccuped: try again, less often
        if (Date.now() < deadline) window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
}());

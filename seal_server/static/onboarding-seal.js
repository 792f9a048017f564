// Owner's panel: copy the seal snippet with one click (the textarea stays selectable without JavaScript).
(function () {
  'use strict';
  var button = document.getElementById('copy-snippet');
  var status = document.getElementById('copy-status');
  if (!button || !status) return;
  var source = document.getElementById(button.getAttribute('data-copy-target'));
  if (!source) return;
  function done(ok) {
    status.textContent = button.getAttribute(ok ? 'data-done' : 'data-failed');
  }
  function fallback() {
    source.focus();
    source.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    done(ok);
  }
  button.addEventListener('click', function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });
}());

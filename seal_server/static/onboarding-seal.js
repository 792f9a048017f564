// Owner's panel: the seal snippet is selected whole on focus and copied with one click
// (without JavaScript the textarea stays selectable by hand).
(function () {
  'use strict';
  var button = document.getElementById('copy-snippet');
  var status = document.getElementById('copy-status');
  if (!button || !status) return;
  var source = document.getElementById(button.getAttribute('data-copy-target'));
  if (!source) return;
  function selectAll() { source.select(); }
  source.addEventListener('focus', selectAll);
  source.addEventListener('click', selectAll);  // a click after focus would otherwise drop the selection
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

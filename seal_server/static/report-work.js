// The violation report form's light proof of work: find a number whose SHA-256 with the form's
// challenge starts with enough zero bits, then send. A person waits a moment; a flood pays for each report.
(function () {
  'use strict';
  var form = document.getElementById('violation-form');
  if (!form || !window.crypto || !window.crypto.subtle) { return; }
  var bits = parseInt(form.dataset.bits, 10);
  var challenge = form.elements.challenge.value;
  var encoder = new TextEncoder();
  var busy = false;

  function leadingZeroBits(buffer) {
    var bytes = new Uint8Array(buffer), count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { count += 8; continue; }
      for (var b = 7; b >= 0 && !(bytes[i] & (1 << b)); b--) { count++; }
      break;
    }
    return count;
  }

  function search(nonce) {
    return window.crypto.subtle.digest('SHA-256', encoder.encode(challenge + ':' + nonce)).then(function (digest) {
      return leadingZeroBits(digest) >= bits ? nonce : search(nonce + 1);
    });
  }

  form.addEventListener('submit', function (event) {
    if (form.elements.nonce.value) { return; }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    form.querySelector('button[type=submit]').disabled = true;
    search(0).then(function (nonce) {
      form.elements.nonce.value = String(nonce);
      form.submit();
    });
  });
}());

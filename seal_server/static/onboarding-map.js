// Contact step: pick the location on a Leaflet map; the latitude/longitude inputs stay the source of truth.
(function () {
  'use strict';
  var box = document.getElementById('location-map');
  var lat = document.getElementById('f-latitude');
  var lon = document.getElementById('f-longitude');
  if (!box || !lat || !lon || !window.L) return;
  var help = document.getElementById('map-help');
  var failedNote = document.getElementById('map-failed');
  var DIGITS = { '۰': 0, '۱': 1, '۲': 2, '۳': 3, '۴': 4, '۵': 5, '۶': 6, '۷': 7, '۸': 8, '۹': 9,
                 '٠': 0, '١': 1, '٢': 2, '٣': 3, '٤': 4, '٥': 5, '٦': 6, '٧': 7, '٨': 8, '٩': 9 };
  function read(input) {
    var text = input.value.replace(/[۰-۹٠-٩]/g, function (d) { return String(DIGITS[d]); }).replace('٫', '.').trim();
    var value = parseFloat(text);
    return text && isFinite(value) ? value : null;
  }
  function giveUp() {
    box.hidden = true;
    if (help) help.hidden = true;
    if (failedNote) {
      failedNote.textContent = box.getAttribute('data-failed');
      failedNote.hidden = false;
    }
  }
  var known = read(lat) !== null && read(lon) !== null;
  var start = known ? [read(lat), read(lon)] : [32.4, 53.7];  // Iran's middle when nothing is saved
  box.hidden = false;
  if (help) help.hidden = false;
  var map = L.map(box).setView(start, known ? 15 : 5);
  var loaded = 0;
  var errors = 0;
  var tiles = L.tileLayer(box.getAttribute('data-tiles'), {
    maxZoom: 19, attribution: box.getAttribute('data-attribution')
  }).addTo(map);
  tiles.on('tileload', function () { loaded += 1; });
  tiles.on('tileerror', function () {
    errors += 1;
    if (loaded === 0 && errors >= 2) giveUp();
  });
  var marker = known ? L.marker(start).addTo(map) : null;
  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
  }
  map.on('click', function (event) {
    place(event.latlng);
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
  });
  function follow() {
    var a = read(lat);
    var b = read(lon);
    if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
      place([a, b]);
      map.panTo([a, b]);
    }
  }
  lat.addEventListener('change', follow);
  lon.addEventListener('change', follow);
}());

// Contact step: offer only the chosen province's cities (the server checks the pair again).
(function () {
  'use strict';
  var province = document.getElementById('f-province');
  var city = document.getElementById('f-city');
  if (!province || !city) return;
  function filter() {
    var groups = city.querySelectorAll('optgroup');
    for (var i = 0; i < groups.length; i++) {
      var match = !province.value || groups[i].getAttribute('data-province') === province.value;
      groups[i].hidden = !match;
      groups[i].disabled = !match;
    }
    var chosen = city.options[city.selectedIndex];
    if (chosen && chosen.parentNode.disabled) city.value = '';
  }
  province.addEventListener('change', filter);
  filter();
}());

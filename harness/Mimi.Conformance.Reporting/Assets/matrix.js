(function () {
  'use strict';
  var d = document;
  d.documentElement.classList.add('js');
  var box = d.getElementById('differences-only');
  var rows = Array.prototype.slice.call(d.querySelectorAll('#matrix tr.req-row'));
  var counter = d.getElementById('matrix-visible');
  function apply() {
    var only = box.checked, shown = 0;
    rows.forEach(function (r) {
      r.hidden = only && r.getAttribute('data-same') === 'true';
      if (!r.hidden) { shown++; }
    });
    counter.textContent = shown === rows.length ? rows.length + ' requirements' : shown + ' of ' + rows.length + ' requirements differ';
  }
  box.addEventListener('change', apply);
  apply();
  d.documentElement.setAttribute('data-ready', 'true');
})();

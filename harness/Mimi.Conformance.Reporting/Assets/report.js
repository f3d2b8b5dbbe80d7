(function () {
  'use strict';
  var d = document;
  d.documentElement.classList.add('js');
  var rows = Array.prototype.slice.call(d.querySelectorAll('tr.req-row'));
  var fClass = d.getElementById('filter-class');
  var fLevel = d.getElementById('filter-level');
  var fVerdict = d.getElementById('filter-verdict');
  var search = d.getElementById('search');
  var counter = d.getElementById('visible-count');
  var noMatch = d.getElementById('no-match');
  var each = function (selector, fn) { Array.prototype.forEach.call(d.querySelectorAll(selector), fn); };

  function detailOf(row) { return d.getElementById(row.getAttribute('aria-controls')); }
  function isOpen(row) { return row.getAttribute('aria-expanded') === 'true'; }
  function sync(row) { var x = detailOf(row); if (x) { x.hidden = row.hidden || !isOpen(row); } }
  function setOpen(row, open) { row.setAttribute('aria-expanded', open ? 'true' : 'false'); sync(row); }

  function apply() {
    var c = fClass.value, l = fLevel.value, v = fVerdict.value;
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!c || row.getAttribute('data-class') === c) &&
        (!l || row.getAttribute('data-level') === l) &&
        (!v || row.getAttribute('data-verdict') === v) &&
        (!q || (row.getAttribute('data-search') || '').indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown++; }
      sync(row);
    });
    counter.textContent = shown === rows.length ? rows.length + ' requirements' : shown + ' of ' + rows.length + ' requirements';
    noMatch.hidden = shown !== 0;
  }

  function scrollToEl(el) { if (el && el.scrollIntoView) { el.scrollIntoView({ block: 'start' }); } }

  function clearFilters() { fClass.value = ''; fLevel.value = ''; fVerdict.value = ''; search.value = ''; apply(); }

  function filterTo(select, value) {
    clearFilters();
    select.value = value;
    apply();
    scrollToEl(d.getElementById('requirements'));
  }

  rows.forEach(function (row) {
    row.addEventListener('click', function (e) {
      if (e.target.closest && e.target.closest('a, button, input, select')) { return; }
      if (window.getSelection && String(window.getSelection()).length > 0) { return; }
      setOpen(row, !isOpen(row));
    });
    row.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); setOpen(row, !isOpen(row)); }
    });
  });
  [fClass, fLevel, fVerdict].forEach(function (s) { s.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  each('[data-filter-verdict]', function (b) {
    b.addEventListener('click', function () { filterTo(fVerdict, b.getAttribute('data-filter-verdict')); });
  });
  each('[data-filter-class]', function (b) {
    b.addEventListener('click', function () { filterTo(fClass, b.getAttribute('data-filter-class')); });
  });
  d.getElementById('expand-all').addEventListener('click', function () {
    rows.forEach(function (r) { if (!r.hidden) { setOpen(r, true); } });
  });
  d.getElementById('collapse-all').addEventListener('click', function () {
    rows.forEach(function (r) { setOpen(r, false); });
  });

  function selectText(el) {
    var range = d.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  each('button[data-copy]', function (b) {
    b.addEventListener('click', function () {
      var pre = d.getElementById(b.getAttribute('data-copy'));
      if (!pre) { return; }
      var done = function (label) { b.textContent = label; setTimeout(function () { b.textContent = 'Copy'; }, 1500); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(pre.textContent).then(function () { done('Copied'); },
          function () { selectText(pre); done('Selected'); });
      } else {
        selectText(pre);
        done('Selected');
      }
    });
  });

  function reveal() {
    var key;
    try { key = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (!key) { return; }
    var target = d.getElementById(key);
    var row = null;
    if (target && target.classList.contains('req-row')) {
      row = target;
    } else if (target && target.closest) {
      var holder = target.closest('tr.req-detail');
      if (holder) { row = d.getElementById(holder.getAttribute('data-for')); }
    }
    if (!row) {
      rows.some(function (r) { if (r.getAttribute('data-id') === key) { row = r; return true; } return false; });
    }
    if (!row) { return; }
    if (row.hidden) { clearFilters(); }
    setOpen(row, true);
    if (target && target.tagName === 'DETAILS') { target.open = true; }
    scrollToEl(target || row);
  }
  window.addEventListener('hashchange', reveal);

  apply();
  reveal();
})();


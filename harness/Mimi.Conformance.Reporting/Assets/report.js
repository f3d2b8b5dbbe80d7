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
  function setOpen(row, open) {
    row.setAttribute('aria-expanded', open ? 'true' : 'false');
    sync(row);
    return open ? load(row) : Promise.resolve();
  }

  // Each row's evidence is gzip + base64 in #report-evidence (one entry per row), inflated on first open.
  var evidenceEl = d.getElementById('report-evidence');
  var evidence = evidenceEl ? JSON.parse(evidenceEl.textContent || '{}') : {};
  var chunks = {};
  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(JSON.parse);
  }
  function load(row) {
    var detail = detailOf(row);
    var id = detail ? detail.getAttribute('data-chunk') : null;
    if (!id || !evidence[id]) { return chunks[id] ? chunks[id].then(function (f) { fill(detail, f); }) : Promise.resolve(); }
    if (!chunks[id]) { chunks[id] = inflate(evidence[id]); }
    return chunks[id].then(function (fragments) { fill(detail, fragments); }, function (e) {
      Array.prototype.forEach.call(detail.querySelectorAll('div.evidence p.loading'), function (p) {
        p.textContent = 'This browser could not inflate the evidence (' + e + '); read report.json.';
      });
    });
  }
  function fill(detail, fragments) {
    Array.prototype.forEach.call(detail.querySelectorAll('div.evidence[data-evidence]:not([data-loaded])'), function (el) {
      // The fragments are this writer's own markup: every DP-chosen text in them is HTML-encoded.
      var html = fragments[el.getAttribute('data-evidence')];
      if (html !== undefined) { el.innerHTML = html; el.setAttribute('data-loaded', 'true'); }
    });
  }

  // What search matches: the row and its detail as rendered, before any evidence is inflated into it.
  var searchText = rows.map(function (r) { var x = detailOf(r); return (r.textContent + ' ' + (x ? x.textContent : '')).toLowerCase(); });

  function apply() {
    var c = fClass.value, l = fLevel.value, v = fVerdict.value;
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = (!c || row.getAttribute('data-class') === c) &&
        (!l || row.getAttribute('data-level') === l) &&
        (!v || row.getAttribute('data-verdict') === v) &&
        (!q || searchText[i].indexOf(q) !== -1);
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
  // Delegated: copy buttons also live in evidence inflated later.
  d.addEventListener('click', function (e) {
    var b = e.target.closest ? e.target.closest('button[data-copy]') : null;
    if (b) {
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
    }
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
    setOpen(row, true).then(function () {
      var el = d.getElementById(key) || row;
      if (el.tagName === 'DETAILS') { el.open = true; }
      each('.flash', function (x) { x.classList.remove('flash'); });
      if (el !== row) { el.classList.add('flash'); }
      scrollToEl(el);
    });
  }
  window.addEventListener('hashchange', reveal);

  apply();
  reveal();
  d.documentElement.setAttribute('data-ready', 'true');
})();


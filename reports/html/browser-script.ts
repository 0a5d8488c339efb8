// The report's only script: the instance browser. Plain ES2017 text placed in the page and allowed
// by its CSP hash. It reads the instances from a JSON data block and builds rows with textContent
// only, so prompt and output text can never become markup or script.
export const INSTANCE_BROWSER_JS = `(function () {
  'use strict';
  var source = document.getElementById('instance-data');
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var rows = data.instances;
  var runs = data.runs;
  var PAGE = 500;
  var shown = PAGE;
  var tbody = document.getElementById('instance-rows');
  var count = document.getElementById('instance-count');
  var more = document.getElementById('instance-more');
  var fRun = document.getElementById('f-run');
  var fTask = document.getElementById('f-task');
  var fOk = document.getElementById('f-ok');
  var fText = document.getElementById('f-text');

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function option(select, value, label) {
    var o = el('option', label);
    o.value = value;
    select.appendChild(o);
  }
  runs.forEach(function (r, i) { option(fRun, String(i), r); });
  var tasks = [];
  rows.forEach(function (r) { if (tasks.indexOf(r.task) < 0) tasks.push(r.task); });
  tasks.sort().forEach(function (t) { option(fTask, t, t); });

  function matches(r) {
    if (fRun.value !== '' && String(r.run) !== fRun.value) return false;
    if (fTask.value !== '' && r.task !== fTask.value) return false;
    if (fOk.value === 'right' && r.ok !== true) return false;
    if (fOk.value === 'wrong' && r.ok !== false) return false;
    if (fOk.value === 'error' && !r.error) return false;
    var q = fText.value.toLowerCase();
    if (q && (r.prompt + '\\n' + (r.completion || '')).toLowerCase().indexOf(q) < 0) return false;
    return true;
  }

  function row(r) {
    var tr = el('tr', null, r.ok === true ? 'right' : r.ok === false ? 'wrong' : '');
    tr.appendChild(el('td', runs[r.run]));
    tr.appendChild(el('td', r.task));
    tr.appendChild(el('td', r.id + (r.perturbation ? ' (' + r.perturbation + ')' : '')));
    var pc = el('td');
    var det = el('details');
    det.appendChild(el('summary', r.prompt.length > 90 ? r.prompt.slice(-90) : r.prompt));
    det.appendChild(el('pre', r.prompt));
    pc.appendChild(det);
    tr.appendChild(pc);
    var cc = el('td');
    cc.appendChild(el('pre', r.error ? 'ERROR: ' + r.error : r.completion));
    tr.appendChild(cc);
    var rc = el('td');
    var ul = el('ul');
    r.references.forEach(function (ref) { ul.appendChild(el('li', (ref[1] ? '\\u2713 ' : '') + ref[0], ref[1] ? 'gold' : '')); });
    rc.appendChild(ul);
    tr.appendChild(rc);
    tr.appendChild(el('td', Object.keys(r.scores).map(function (k) { return k + '=' + Number(r.scores[k]).toFixed(3); }).join('\\n'), 'scores'));
    tr.appendChild(el('td', r.ok === true ? 'right' : r.ok === false ? 'wrong' : '\\u2014'));
    return tr;
  }

  function render() {
    var hits = rows.filter(matches);
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    var frag = document.createDocumentFragment();
    hits.slice(0, shown).forEach(function (r) { frag.appendChild(row(r)); });
    tbody.appendChild(frag);
    count.textContent = hits.length + ' matching instance(s)' + (hits.length > shown ? ', showing ' + shown : '') + (data.truncated ? ' (the report holds ' + rows.length + ' of ' + data.total + ')' : '');
    more.hidden = hits.length <= shown;
  }
  [fRun, fTask, fOk].forEach(function (s) { s.addEventListener('change', function () { shown = PAGE; render(); }); });
  fText.addEventListener('input', function () { shown = PAGE; render(); });
  more.addEventListener('click', function () { shown += PAGE; render(); });
  render();
})();
`;

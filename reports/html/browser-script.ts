// The report's only script: the instance browser and the side-by-side view. Plain ES2017 text
// placed in the page and allowed by its CSP hash. It reads the instances from a JSON data block and
// builds every element with textContent only, so prompt and output text can never become markup.
export const INSTANCE_BROWSER_JS = `(function () {
  'use strict';
  var source = document.getElementById('instance-data');
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var rows = data.instances;
  var runs = data.runs;
  var PAGE = 500;
  var MAX_OPTIONS = 5000;
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
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function key(r) { return r.task + '\\u0000' + r.id + '\\u0000' + (r.perturbation || ''); }
  function completion(r) {
    if (r.error) return el('pre', 'ERROR: ' + r.error);
    if (r.completion === null) return el('pre', '(no completion)', 'empty');
    if (r.completion.trim() === '') return el('pre', r.completion === '' ? '(empty completion)' : '(blank completion: ' + JSON.stringify(r.completion) + ')', 'empty');
    return el('pre', r.completion);
  }
  function resultText(r) { return r.ok === true ? 'right' : r.ok === false ? 'wrong' : '\\u2014'; }
  function scoresText(r) { return Object.keys(r.scores).map(function (k) { return k + '=' + Number(r.scores[k]).toFixed(3); }).join('\\n'); }
  function references(r) {
    var ul = el('ul');
    r.references.forEach(function (ref) { ul.appendChild(el('li', (ref[1] ? '\\u2713 ' : '') + ref[0], ref[1] ? 'gold' : '')); });
    return ul;
  }
  runs.forEach(function (r, i) { option(fRun, String(i), r); });
  var tasks = [];
  rows.forEach(function (r) { if (tasks.indexOf(r.task) < 0) tasks.push(r.task); });
  tasks.sort().forEach(function (t) { option(fTask, t, t); });

  // Side by side: one instance in two runs.
  var sbs = document.getElementById('side-by-side');
  var openSideBySide = null;
  if (sbs) {
    var S = {};
    ['a', 'b', 'task', 'id', 'flips', 'view'].forEach(function (k) { S[k] = document.getElementById('sbs-' + k); });
    var byRun = runs.map(function () { return {}; });
    rows.forEach(function (r) { byRun[r.run][key(r)] = r; });
    var filled = [];
    runs.forEach(function (name, i) {
      if (Object.keys(byRun[i]).length === 0) return;
      filled.push(i);
      option(S.a, String(i), name);
      option(S.b, String(i), name);
    });
    tasks.forEach(function (t) { option(S.task, t, t); });
    S.a.value = String(filled[0]);
    S.b.value = String(filled[1]);
    var isFlip = function (k) {
      var a = byRun[+S.a.value][k], b = byRun[+S.b.value][k];
      return Boolean(a && b && a.ok !== null && b.ok !== null && a.ok !== b.ok);
    };
    var fillIds = function () {
      var keep = S.id.value;
      var seen = {};
      var keys = [];
      rows.forEach(function (r) {
        var k = key(r);
        if (seen[k] || (String(r.run) !== S.a.value && String(r.run) !== S.b.value)) return;
        if (S.task.value !== '' && r.task !== S.task.value) return;
        if (S.flips.checked && !isFlip(k)) return;
        seen[k] = true;
        keys.push(r);
      });
      clear(S.id);
      keys.slice(0, MAX_OPTIONS).forEach(function (r) {
        option(S.id, key(r), (S.task.value === '' ? r.task + ' \\u00b7 ' : '') + r.id + (r.perturbation ? ' (' + r.perturbation + ')' : ''));
      });
      if (keys.length > MAX_OPTIONS) option(S.id, '', '\\u2026 ' + (keys.length - MAX_OPTIONS) + ' more: pick a task');
      if (keep && seen[keep]) S.id.value = keep;
    };
    var side = function (i, r, prompt) {
      var d = el('div', null, 'sbs-side');
      d.appendChild(el('h4', runs[i]));
      if (!r) {
        d.appendChild(el('p', 'not in this run', 'note'));
        return d;
      }
      if (r.prompt !== prompt) {
        var det = el('details');
        det.appendChild(el('summary', 'its prompt differs: show it'));
        det.appendChild(el('pre', r.prompt));
        d.appendChild(det);
      }
      d.appendChild(completion(r));
      d.appendChild(el('div', scoresText(r), 'scores'));
      d.appendChild(el('div', resultText(r), 'sbs-result ' + (r.ok === true ? 'pass' : r.ok === false ? 'fail' : '')));
      return d;
    };
    var renderSide = function () {
      clear(S.view);
      var k = S.id.value;
      var a = byRun[+S.a.value][k], b = byRun[+S.b.value][k];
      var any = a || b;
      if (!any) {
        S.view.appendChild(el('p', 'no instance to show', 'note'));
        return;
      }
      S.view.appendChild(el('h3', any.task + ' \\u00b7 ' + any.id + (any.perturbation ? ' (' + any.perturbation + ')' : '')));
      var prompt = S.view.appendChild(el('pre', any.prompt, 'sbs-prompt'));
      prompt.scrollTop = prompt.scrollHeight; // the instance's own question is the prompt's last block
      var refs = el('div', null, 'sbs-refs');
      refs.appendChild(el('b', 'references'));
      refs.appendChild(references(any));
      S.view.appendChild(refs);
      var grid = el('div', null, 'sbs-grid');
      grid.appendChild(side(+S.a.value, a, any.prompt));
      grid.appendChild(side(+S.b.value, b, any.prompt));
      S.view.appendChild(grid);
    };
    var pickFirst = function () {
      fillIds();
      var first = null;
      for (var i = 0; i < S.id.options.length && first === null; i++) if (isFlip(S.id.options[i].value)) first = S.id.options[i].value;
      if (first !== null) S.id.value = first;
      renderSide();
    };
    [S.a, S.b, S.task, S.flips].forEach(function (s) { s.addEventListener('change', function () { fillIds(); renderSide(); }); });
    S.id.addEventListener('change', renderSide);
    openSideBySide = function (r) {
      if (String(r.run) !== S.a.value && String(r.run) !== S.b.value) S.a.value = String(r.run);
      S.task.value = r.task;
      S.flips.checked = false;
      fillIds();
      S.id.value = key(r);
      renderSide();
      sbs.scrollIntoView();
    };
    pickFirst();
  }

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
    var ic = el('td', r.id + (r.perturbation ? ' (' + r.perturbation + ')' : ''));
    if (openSideBySide) {
      var open = el('button', '\\u21c4', 'sbs-open');
      open.title = 'side by side';
      open.addEventListener('click', function () { openSideBySide(r); });
      ic.appendChild(open);
    }
    tr.appendChild(ic);
    var pc = el('td');
    var det = el('details');
    det.appendChild(el('summary', r.preview));
    det.appendChild(el('pre', r.prompt));
    pc.appendChild(det);
    tr.appendChild(pc);
    var cc = el('td');
    cc.appendChild(completion(r));
    tr.appendChild(cc);
    var rc = el('td');
    rc.appendChild(references(r));
    tr.appendChild(rc);
    tr.appendChild(el('td', scoresText(r), 'scores'));
    tr.appendChild(el('td', resultText(r)));
    return tr;
  }

  function render() {
    var hits = rows.filter(matches);
    clear(tbody);
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

// Renders the report model to one self-contained HTML page: inline CSS, charts as inline SVG, the
// instances as a JSON data block, and one script allowed by its hash in a strict CSP. Every piece of
// text from run files goes through escapeHtml or the JSON block.
import { createHash } from 'node:crypto';
import type { ReportModel, ReportRun } from './report-model.js';
import { escapeHtml as h, jsonForScript } from './html-escape.js';
import { INSTANCE_BROWSER_JS } from './browser-script.js';
import { deltaSpec, renderSvg, taskBarsSpec, type DeltaRow } from './charts.js';
import { trainingSection } from './training-section.js';
import { browserData, instancesSection, sideBySideSection } from './instance-browser.js';
import { MACRO, MACRO_DEFINITION, POOLED, POOLED_DEFINITION } from '../../harness/stats/aggregates.js';

export interface PageOptions {
  /** At most this many instances per run directory go into the page (default 20,000). */
  maxInstancesPerRun?: number;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1f2937;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
nav a{color:#cbd5e1;margin-right:14px;text-decoration:none}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:14px 0}
h2{font-size:17px;margin:4px 0 10px}h3{font-size:15px;margin:12px 0 6px}
table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;word-break:break-word;margin:0;max-width:520px;font-size:12px}
tr.right td:last-child{color:#15803d}tr.wrong td:last-child{color:#b91c1c}li.gold{font-weight:600}
.chart svg{max-width:100%;height:auto}.note{color:#555}.fail{color:#b91c1c;font-weight:600}.pass{color:#15803d;font-weight:600}
.filters{margin:6px 0 10px}.filters label{margin-right:12px}td.scores{white-space:pre;font-size:12px}
summary{cursor:pointer;color:#374151;font-family:ui-monospace,monospace;font-size:12px}
table{max-width:100%}td{overflow-wrap:break-word}td.num{white-space:nowrap}td.ci{white-space:normal}.path,.long,th.g{overflow-wrap:anywhere}.path{font:11px/1.35 ui-monospace,monospace;color:#555}
#summary-table{width:100%}#instance-table{table-layout:fixed;width:100%}#instance-table td{overflow-wrap:anywhere}.empty{color:#888;font-style:italic}
.sbs-grid{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:8px}.sbs-side{border:1px solid #e5e7eb;border-radius:4px;padding:8px}
.sbs-side h4{margin:0 0 6px}.sbs-side pre,pre.sbs-prompt{max-width:none}pre.sbs-prompt{max-height:320px;overflow:auto;background:#f9fafb;padding:6px}
.sbs-refs ul{margin:4px 0}button.sbs-open{margin-left:6px;font-size:11px;cursor:pointer}
`;

const fmt = (x: number | undefined, d = 4) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

/** The one-line definitions under every table that shows the aggregates. */
const AGGREGATES_NOTE = `<p class="note aggregates"><b>${POOLED}</b>: ${h(POOLED_DEFINITION)}. <b>${MACRO}</b>: ${h(MACRO_DEFINITION)}.</p>`;

function runRole(r: ReportRun): string {
  if (r.of) return `${r.of.role === 'baseline' ? 'baseline' : 'best checkpoint'}, step ${r.of.step}, of ${r.of.training}`;
  return r.train ? `training: ${r.train.checkpoints.length} checkpoint(s)` : 'evaluation';
}

function summarySection(m: ReportModel): string {
  const line = new Map(m.leaderboard.map((l) => [l.label, l]));
  const rows = m.runs.map((r) => {
    const res = r.results;
    const l = line.get(r.label);
    const version = res ? `${res.evalfirstVersion ?? ''}${res.gitCommit ? ` @ ${res.gitCommit.slice(0, 10)}` : ''}` : '—';
    return `<tr><td class="long">${h(r.label)}<div class="path">${h(r.dir)}</div></td><td>${h(runRole(r))}</td><td>${h(version)}</td><td class="path">${res ? h(String(res.backend?.id ?? '')) : '—'}</td><td class="num">${res ? res.runs.length : 0}</td><td class="num">${r.instances.length}</td><td class="num">${res ? res.errors?.count ?? 0 : 0}</td><td class="num">${l ? fmt(l.pooled.mean) : '—'}</td><td class="num">${l ? fmt(l.macro) : '—'}</td></tr>`;
  });
  const groupHead = m.groups.map((g) => `<th class="g">${h(g)}</th>`).join('');
  const groupRows = m.leaderboard.map((l) => `<tr><td class="long">${h(l.label)}</td>${m.groups.map((g) => `<td class="num">${fmt(l.groups[g])}</td>`).join('')}</tr>`);
  return `<section id="summary"><h2>Summary</h2>
<table id="summary-table"><thead><tr><th>run (directory)</th><th>what</th><th>evalfirst</th><th>backend</th><th>tasks</th><th>instances</th><th>errors</th><th>${POOLED}</th><th>${MACRO}</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${m.leaderboard.length ? AGGREGATES_NOTE : ''}
${m.groups.length ? `<h3>Groups (main metric)</h3><table id="group-table"><thead><tr><th>run</th>${groupHead}</tr></thead><tbody>${groupRows.join('')}</tbody></table>` : ''}
</section>`;
}

async function tasksSection(m: ReportModel): Promise<string> {
  if (m.bars.length === 0) return '';
  const svg = await renderSvg(taskBarsSpec(m.bars));
  const tasks = [...new Set(m.bars.map((b) => b.task))];
  const labels = [...new Set(m.bars.map((b) => b.run))];
  const rows = tasks.map((t) => {
    const cells = labels.map((l) => {
      const b = m.bars.find((x) => x.task === t && x.run === l);
      return b ? `<td class="num ci">${fmt(b.mean)} [${fmt(b.low, 3)}, ${fmt(b.high, 3)}] n=${b.n}</td>` : '<td>—</td>';
    });
    const metric = m.bars.find((x) => x.task === t)!.metric;
    return `<tr><td class="long">${h(t)}</td><td>${h(metric)}</td>${cells.join('')}</tr>`;
  });
  return `<section id="tasks"><h2>Tasks</h2><div class="chart" id="chart-tasks">${svg}</div>
<table id="task-table"><thead><tr><th>task</th><th>metric</th>${labels.map((l) => `<th class="g">${h(l)} (95 % CI)</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

async function comparisonSection(m: ReportModel): Promise<string> {
  if (!m.comparison) return '';
  const { report: r, note } = m.comparison;
  if (!r) return `<section id="comparison"><h2>Comparison</h2><p class="note">${h(note ?? '')}</p></section>`;
  const deltas: DeltaRow[] = [
    ...r.groups.map((g) => ({ name: `group ${g.group}`, kind: 'group' as const, delta: g.ci.delta, low: g.ci.low, high: g.ci.high })),
    ...r.tasks.map((t) => ({ name: t.runName, kind: 'task' as const, delta: t.ci.delta, low: t.ci.low, high: t.ci.high })),
  ];
  const svg = await renderSvg(deltaSpec(deltas));
  const rows = r.tasks.map(
    (t) =>
      `<tr><td class="long">${h(t.runName)}</td><td class="num">${fmt(t.meanA)}</td><td class="num">${fmt(t.meanB)}</td><td class="num">${signed(t.ci.delta)}</td><td class="num">[${signed(t.ci.low)}, ${signed(t.ci.high)}]</td><td class="num">${t.mcnemar ? t.mcnemar.b : ''}</td><td class="num">${t.mcnemar ? t.mcnemar.c : ''}</td><td class="num">${t.mcnemar ? fmt(t.mcnemar.p) : ''}</td><td class="num">${t.mcnemar ? fmt(t.mcnemar.pHolm) : ''}</td></tr>`,
  );
  const flips = r.tasks
    .filter((t) => t.flips && (t.flips.rightToWrong.length || t.flips.wrongToRight.length))
    .map((t) => {
      const list = (fs: { instanceId: string }[]) => h(fs.slice(0, 50).map((f) => f.instanceId).join(', ') + (fs.length > 50 ? ` … (${fs.length - 50} more)` : ''));
      return `<li><b>${h(t.runName)}</b>: right in A, wrong in B (${t.flips!.rightToWrong.length}): ${list(t.flips!.rightToWrong)}; wrong in A, right in B (${t.flips!.wrongToRight.length}): ${list(t.flips!.wrongToRight)}</li>`;
    });
  return `<section id="comparison"><h2>Comparison: B = ${h(r.b.dir)} vs A = ${h(r.a.dir)}</h2>
${note ? `<p class="note">${h(note)}</p>` : ''}<p class="note">${r.paired ? 'Paired by instance; 95 % paired bootstrap CIs; exact McNemar with Holm correction across tasks.' : 'Unpaired; 95 % bootstrap CIs of the difference of means.'}</p>
<div class="chart" id="chart-compare">${svg}</div>
<table id="compare-table"><thead><tr><th>task</th><th>A</th><th>B</th><th>delta</th><th>95 % CI</th><th>A✓B✗</th><th>A✗B✓</th><th>McNemar p</th><th>Holm p</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${flips.length ? `<h3>Flips</h3><ul id="flips">${flips.join('')}</ul>` : ''}</section>`;
}

function leaderboardSection(m: ReportModel): string {
  if (m.leaderboard.length === 0) return '';
  const rows = m.leaderboard.map((l, i) => `<tr><td class="num">${i + 1}</td><td class="long">${h(l.label)}</td><td class="num">${fmt(l.macro)}</td><td class="num">${fmt(l.pooled.mean)}</td><td class="num">${l.pooled.n}</td>${m.groups.map((g) => `<td class="num">${fmt(l.groups[g])}</td>`).join('')}</tr>`);
  return `<section id="leaderboard"><h2>Leaderboard</h2><p class="note">Ranked by <b>${MACRO}</b> over the groups a run has.${m.challenge ? '' : ' The challenge win-rate ranking appears when two or more runs carry challenge groups (or use <code>evalfirst leaderboard</code>).'}</p>${AGGREGATES_NOTE}
<table id="leaderboard-table"><thead><tr><th>#</th><th>run</th><th>${MACRO}</th><th>${POOLED}</th><th>n</th>${m.groups.map((g) => `<th class="g">${h(g)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${challengeTable(m)}</section>`;
}

function challengeTable(m: ReportModel): string {
  if (!m.challenge) return '';
  const scen = [...new Set(m.challenge.flatMap((r) => Object.keys(r.scenarios)))];
  const rows = m.challenge.map((r, i) => `<tr><td class="num">${i + 1}</td><td class="long">${h(r.entry)}</td><td class="num">${fmt(r.score_full, 3)}</td><td class="num">${fmt(r.score_open, 3)}</td><td class="num">${fmt(r.score_hidden, 3)}</td>${scen.map((s) => `<td class="num">${fmt(r.scenarios[s], 3)}</td>`).join('')}</tr>`);
  return `<h3>Challenge ranking among these runs</h3><p class="note">The organisers' final-round rule: mean win rate per scenario, geometric mean, 1/3 open + 2/3 hidden; columns a run lacks count as the worst value.</p>
<table id="challenge-table"><thead><tr><th>#</th><th>run</th><th>full</th><th>open</th><th>hidden</th>${scen.map((s) => `<th>${h(s)} MWR</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export async function renderReportHtml(m: ReportModel, opts: PageOptions = {}): Promise<string> {
  const training = await Promise.all(m.runs.filter((r) => r.train).map(trainingSection));
  const sections = [summarySection(m), await tasksSection(m), ...training, await comparisonSection(m), leaderboardSection(m), sideBySideSection(m), instancesSection()];
  const data = jsonForScript(browserData(m, opts.maxInstancesPerRun ?? 20_000));
  const scriptHash = createHash('sha256').update(INSTANCE_BROWSER_JS, 'utf8').digest('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; base-uri 'none'; form-action 'none'`;
  const nav = [['summary', 'Summary'], ['tasks', 'Tasks'], ['comparison', 'Comparison'], ['leaderboard', 'Leaderboard'], ['side-by-side', 'Side by side'], ['instances', 'Instances']]
    .filter(([id]) => sections.some((s) => s.includes(`id="${id}"`)))
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>evalfirst report</title><style>${CSS}</style></head>
<body><header><h1>evalfirst report</h1><nav>${nav}</nav><div class="note" style="color:#cbd5e1">written ${h(m.createdAt)} from ${m.runs.length} run director${m.runs.length === 1 ? 'y' : 'ies'}</div></header>
<main>${sections.filter(Boolean).join('\n')}</main>
<script type="application/json" id="instance-data">${data}</script>
<script>${INSTANCE_BROWSER_JS}</script>
</body></html>
`;
}

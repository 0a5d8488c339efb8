// sweep.html: a sweep.json as one self-contained page: the arms table, score vs compute per arm (each
// look's headline with its 95 % interval against the arm's training steps), the halving tree (arms by
// rung, coloured by how they left it), the decisions with their reasons, the finalists' pairwise
// verdicts and the winner's final evaluation. Charts are Vega-Lite rendered to SVG (charts.ts); all
// text from the file is escaped.
import type { TopLevelSpec } from 'vega-lite';
import type { SweepReport } from '../../harness/sweep/sweep-report.js';
import { renderSvg } from './charts.js';
import { escapeHtml as h } from './html-escape.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}header{background:#1f2937;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:14px 0}h2{font-size:17px;margin:4px 0 10px}
table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart svg{max-width:100%;height:auto}.note{color:#555}.winner{font-weight:600;color:#15803d}.crashed{color:#b91c1c}`;

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));

/** Score vs compute: each arm's looks (headline, 95 % interval) against its training steps. */
export function scoreVsComputeSpec(r: SweepReport): TopLevelSpec {
  const values = r.arms.flatMap((a) => a.looks.map((l) => ({ arm: `${a.id} ${a.label}`, step: l.step, mean: l.mean, low: l.low, high: l.high, status: a.status })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: 560,
    height: 300,
    encoding: { x: { field: 'step', type: 'quantitative', title: 'training steps spent on the arm' }, color: { field: 'arm', type: 'nominal', legend: { orient: 'bottom', columns: 2, labelLimit: 400 } } },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'headline (95 % CI)', scale: { zero: false } } } },
      { mark: { type: 'rule' }, encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
    ],
  } as TopLevelSpec;
}

/** The halving tree: one row per arm, a mark at each rung it was scored at, coloured by what happened to it there. */
export function halvingTreeSpec(r: SweepReport): TopLevelSpec {
  const values = r.arms.flatMap((a) => {
    const rungs = [...new Set(a.looks.map((l) => l.rung))];
    if (a.status === 'crashed' && a.stopped) rungs.push(a.stopped.rung);
    const lastRung = Math.max(...rungs, -1);
    return [...new Set(rungs)].map((rung) => ({
      arm: `${a.id} ${a.label}`,
      rung,
      step: r.rungs[rung]?.step ?? 0,
      outcome: rung < lastRung ? 'promoted' : a.status === 'winner' ? 'winner' : a.status === 'crashed' ? 'crashed' : a.status === 'active' ? 'active' : `stopped: ${a.stopped?.reason ?? ''}`,
    }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: 420,
    encoding: { y: { field: 'arm', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } } },
    layer: [
      { mark: { type: 'line', color: '#9ca3af' }, encoding: { x: { field: 'rung', type: 'ordinal', title: 'rung' }, detail: { field: 'arm' } } },
      { mark: { type: 'point', filled: true, size: 120 }, encoding: { x: { field: 'rung', type: 'ordinal' }, color: { field: 'outcome', type: 'nominal', legend: { orient: 'bottom' } } } },
    ],
  } as TopLevelSpec;
}

export async function renderSweepPage(r: SweepReport): Promise<string> {
  const [curve, tree] = await Promise.all([renderSvg(scoreVsComputeSpec(r)), renderSvg(halvingTreeSpec(r))]);
  const armRows = r.arms.map((a) => {
    const last = a.looks[a.looks.length - 1];
    const cls = a.status === 'winner' ? 'winner' : a.status === 'crashed' ? 'crashed' : '';
    return `<tr class="${cls}"><td>${h(a.id)}</td><td>${h(a.label)}</td><td class="num">${a.step}</td><td class="num">${last ? `${f3(last.mean)} [${f3(last.low)}, ${f3(last.high)}]` : '—'}</td><td>${h(a.status)}${a.stopped ? ` — ${h(a.stopped.reason)}: ${h(a.stopped.detail)}` : ''}</td><td class="num">${a.compute.steps}</td><td class="num">${a.compute.train_seconds.toFixed(1)}</td><td class="num">${a.compute.eval_seconds.toFixed(1)}</td><td>${h(a.checkpoint ?? '—')}</td></tr>`;
  });
  const rungRows = r.rungs.map((g) => `<tr><td class="num">${g.index}</td><td class="num">${g.step}</td><td>${h(g.looks.join(', '))}</td><td class="num">${g.arms}</td><td class="num">${g.keep}</td></tr>`);
  const decisionRows = r.decisions.map((d) => `<tr><td class="num">${d.rung}</td><td class="num">${d.step}</td><td>${h(d.arm)}</td><td>${h(d.action)}</td><td>${h(d.reason)}</td><td class="num">${f3(d.mean)}</td><td class="num">${d.predicted ? `${f3(d.predicted.mean)} [${f3(d.predicted.low)}, ${f3(d.predicted.high)}]` : '—'}</td><td>${h(d.detail)}</td></tr>`);
  const fe = r.final_evaluation;
  const finalHtml = fe
    ? `<p>${h(fe.arm)}: <b>${f3(fe.score.mean)}</b> [${f3(fe.score.low)}, ${f3(fe.score.high)}] on ${fe.score.n} instances${fe.base ? `; base ${f3(fe.base.mean)} [${f3(fe.base.low)}, ${f3(fe.base.high)}]` : ''}${fe.vs_base ? `; winner − base ${f3(fe.vs_base.delta)} [${f3(fe.vs_base.low)}, ${f3(fe.vs_base.high)}] (${fe.vs_base.distinguishable ? 'told apart' : 'indistinguishable at this budget'})` : ''}</p><table><thead><tr><th>task</th><th>score [95 % CI]</th><th>n</th></tr></thead><tbody>${Object.entries(fe.tasks).map(([t, x]) => `<tr><td>${h(t)}</td><td class="num">${f3(x.mean)} [${f3(x.low)}, ${f3(x.high)}]</td><td class="num">${x.n}</td></tr>`).join('')}</tbody></table>`
    : '<p class="note">no final evaluation (no winner)</p>';
  const ranking = r.ranking ? `<ul>${r.ranking.summary.map((s) => `<li>${h(s)}</li>`).join('')}</ul>` : '<p class="note">fewer than two arms scored at the same step</p>';
  const c = r.compute;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>sweep: ${h(r.winner ?? 'no winner')}</title><style>${CSS}</style></head><body>
<header><h1>evalfirst sweep — ${r.arms.length} arms, ${h(r.mode)} (rule ${h(r.rule)}, η = ${r.eta}, α = ${r.alpha})</h1></header><main>
<section id="summary"><h2>Summary</h2><p>winner: <b>${h(r.winner ?? 'none')}</b> — ${h(r.finished?.detail ?? '')}</p>
<p class="note">base ${h(r.base)} · data ${h(r.data)} · suite ${h(r.suite)}${r.limit ? ` (limit ${r.limit} per run)` : ''} · seed ${r.seed} · max steps ${r.max_steps} · deadline ${r.deadline_s === null ? 'none' : `${r.deadline_s}s`} · reserve ${r.reserve_s.toFixed(1)}s · workers ${r.parallel}${r.gpus.length ? ` (GPUs ${h(r.gpus.join(','))})` : ''}${r.launcher ? ` · launcher ${h(r.launcher)}` : ''}</p>
<p class="note">compute: ${c.steps} training steps of the grid's ${c.grid_steps}; ${c.train_seconds.toFixed(1)}s training, ${c.eval_seconds.toFixed(1)}s scoring, ${c.wall_seconds.toFixed(1)}s wall</p>
<table id="arms"><thead><tr><th>arm</th><th>config</th><th>last step</th><th>score [95 % CI]</th><th>status / verdict</th><th>steps</th><th>train s</th><th>eval s</th><th>checkpoint</th></tr></thead><tbody>${armRows.join('')}</tbody></table></section>
<section id="curves"><h2>Score vs compute</h2><div class="chart">${curve}</div></section>
<section id="tree"><h2>Halving tree</h2><div class="chart">${tree}</div><table><thead><tr><th>rung</th><th>step</th><th>looks</th><th>arms</th><th>keep</th></tr></thead><tbody>${rungRows.join('')}</tbody></table></section>
<section id="decisions"><h2>Decisions</h2><table><thead><tr><th>rung</th><th>step</th><th>arm</th><th>action</th><th>reason</th><th>mean</th><th>predicted at last step</th><th>detail</th></tr></thead><tbody>${decisionRows.join('')}</tbody></table></section>
<section id="ranking"><h2>Finalists${r.ranked_at_step !== null ? ` at step ${r.ranked_at_step}` : ''}</h2>${ranking}</section>
<section id="final"><h2>Final evaluation</h2>${finalHtml}</section>
${r.notes.length ? `<section id="notes"><h2>Notes</h2><ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul></section>` : ''}
</main></body></html>`;
}

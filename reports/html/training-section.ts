// The report's view of one training run: score vs step and vs wall time from the baseline (step 0)
// through every checkpoint to the final full evaluation, and the same rows as a table.
import type { ReportRun } from './report-model.js';
import type { CurveRow } from './training-curve.js';
import { escapeHtml as h } from './html-escape.js';
import { renderSvg, trainingCurveSpec, type CurvePoint } from './charts.js';
import { targetThresholds } from './train-file.js';
import { isPooledKey, POOLED } from '../../harness/stats/aggregates.js';

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');

function curvePoints(rows: CurveRow[]): CurvePoint[] {
  return rows.flatMap((r) => Object.entries(r.scores).map(([task, s]) => ({ task, kind: r.kind, step: r.step, time_s: r.time_s, mean: s.mean, low: s.ci_low, high: s.ci_high })));
}

function rowLabel(r: CurveRow): string {
  if (r.kind === 'baseline') return 'baseline (before training, full suite)';
  if (r.kind === 'final') return `final full evaluation of step ${r.step}, after the stop`;
  return r.full ? 'checkpoint (full suite)' : 'checkpoint (adaptive sample)';
}

function decisionText(r: CurveRow): string {
  const d = r.decision;
  if (d) return `${d.action}${d.reason ? ` (${d.reason})` : ''}${d.detail ? `: ${d.detail}` : ''}`;
  return r.source === 'train.json' ? '' : `scores from ${r.source}`;
}

export async function trainingSection(run: ReportRun): Promise<string> {
  const t = run.train!;
  const rows = run.curve ?? [];
  const points = curvePoints(rows);
  const targets = targetThresholds(t.target).map((x) => ({ ...x, task: isPooledKey(x.task) ? POOLED : x.task }));
  const marks = { targets, stop: t.stop ? { step: t.stop.step, time_s: t.stop.time_s, reason: t.stop.reason } : null, best: t.best };
  const [bySteps, byTime] = points.length ? await Promise.all([renderSvg(trainingCurveSpec(points, marks, 'step')), renderSvg(trainingCurveSpec(points, marks, 'time_s'))]) : ['', ''];
  const table = rows.map(
    (r) =>
      `<tr class="${r.kind}${r.kind === 'final' || (t.best?.step === r.step && r.kind === 'checkpoint') ? ' right' : ''}"><td class="num">${r.step}</td><td>${h(rowLabel(r))}</td><td class="num">${r.time_s.toFixed(1)}</td><td>${Object.entries(r.scores)
        .map(([k, s]) => `${h(k)} ${fmt(s.mean)} [${fmt(s.ci_low)}, ${fmt(s.ci_high)}] n=${s.n}`)
        .join('<br>')}</td><td>${h(decisionText(r))}</td></tr>`,
  );
  const pooledNote = rows.some((r) => POOLED in r.scores) ? ` <code>${POOLED}</code> is the pooled aggregate (every instance of every task in one sample; train.json files written before it was renamed call it <code>mean</code>).` : '';
  return `<section class="training" id="training-${h(run.label)}"><h2>Training: ${h(run.label)}</h2>
<p>${t.target ? `Target: <code>${h(t.target)}</code>. ` : ''}${t.stop ? `Stopped at step ${t.stop.step ?? '—'} after ${t.stop.time_s.toFixed(1)} s: <b>${h(t.stop.reason)}</b>${t.stop.detail ? ` (${h(t.stop.detail)})` : ''}. ` : 'Still running. '}${t.best ? `Best checkpoint: step ${t.best.step} (${h(t.best.path)}).` : ''}</p>
<p class="note">Per task: the group's instances pooled, with the supervisor's exact confidence intervals.${pooledNote} The final full evaluation is drawn as a diamond at the stop.</p>
<h3>Score vs step</h3><div class="chart">${bySteps}</div><h3>Score vs wall time</h3><div class="chart">${byTime}</div>
<table class="checkpoint-table"><thead><tr><th>step</th><th>what</th><th>time (s)</th><th>scores (95 % CI)</th><th>decision</th></tr></thead><tbody>${table.join('')}</tbody></table></section>`;
}

// The terminal summary of a sweep.json: one row per arm (settings, last step, headline at its last
// look with the 95 % interval, status and why), then the winner, its final evaluation against the
// base, and the pairwise verdicts of the finalists.
import Table from 'cli-table3';
import { tableStyle } from './terminal-style.js';
import type { SweepArm, SweepReport } from '../harness/sweep/sweep-report.js';

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

function verdict(a: SweepArm): string {
  if (a.status === 'winner') return 'winner';
  if (a.status === 'active') return 'active';
  const s = a.stopped;
  if (!s) return a.status;
  return `${a.status} (${s.reason}${s.rung >= 0 ? `, rung ${s.rung}` : ''})`;
}

export function renderSweepTable(r: SweepReport, options: { color?: boolean; outDir?: string } = {}): string {
  const t = new Table({ head: ['arm', 'config', 'last step', 'score [95 % CI]', 'status / verdict'], style: tableStyle(Boolean(options.color)) });
  for (const a of r.arms) {
    const last = a.looks[a.looks.length - 1];
    t.push([a.id, a.label, String(a.step), last ? `${f3(last.mean)} [${f3(last.low)}, ${f3(last.high)}] @${last.step}` : '-', verdict(a)]);
  }
  const lines = [t.toString()];
  const c = r.compute;
  lines.push(`compute: ${c.steps} training steps (the full grid: ${c.grid_steps}, ${((100 * c.steps) / c.grid_steps).toFixed(0)} %), ${c.train_seconds.toFixed(1)}s training, ${c.eval_seconds.toFixed(1)}s scoring (${c.eval_requests} requests), ${c.wall_seconds.toFixed(1)}s wall; reserve ${r.reserve_s.toFixed(1)}s held for the final evaluation`);
  if (r.winner) {
    const w = r.arms.find((a) => a.id === r.winner)!;
    lines.push(`winner: ${w.id} (${w.label}): ${r.finished?.detail ?? ''}`);
  } else lines.push(`no winner: ${r.finished?.detail ?? 'the sweep did not finish'}`);
  const fe = r.final_evaluation;
  if (fe) {
    lines.push(`final full evaluation of ${fe.arm}: ${f3(fe.score.mean)} [${f3(fe.score.low)}, ${f3(fe.score.high)}] on ${fe.score.n} instances${fe.base ? `; base ${f3(fe.base.mean)} [${f3(fe.base.low)}, ${f3(fe.base.high)}]` : ''}`);
    if (fe.vs_base) lines.push(`  winner − base: ${signed(fe.vs_base.delta)} [${signed(fe.vs_base.low)}, ${signed(fe.vs_base.high)}] ${fe.vs_base.distinguishable ? '(paired, told apart)' : '(paired: indistinguishable at this budget)'}`);
  }
  if (r.ranking) {
    lines.push(`finalists at step ${r.ranked_at_step}, paired on ${r.ranking.instances} instances (Holm over ${r.ranking.pairs.length} pair(s)):`);
    for (const s of r.ranking.summary) lines.push(`  ${s}`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (options.outDir) lines.push(`sweep.json, sweep.html: ${options.outDir}`);
  return lines.join('\n');
}

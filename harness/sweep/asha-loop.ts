// The train-and-score loop for `sweep --parallel N` / `--launcher`: asynchronous successive halving
// (asha.ts) over N workers, each worker one GPU (its trainer process gets CUDA_VISIBLE_DEVICES). A
// free worker takes the next job ashaNextJob gives: promote the best promotable arm from the highest
// rung, else start an arm that has not run. At rung r an arm is promotable when it is in the top
// ⌊n·keep_r/arms_r⌋ of the n arms finished at r so far (the plan's fraction; once every arm of the
// rung has finished this is exactly the plan's keep). Training runs in parallel; scoring goes through
// one embedded backend, one scoring at a time. A job the deadline (less the reserve) cannot hold is
// not started; a running trainer past it is stopped by the template trainer (SIGTERM, grace, SIGKILL).
// The outcome is a SweepState like the halving loop's (verdicts are null: ASHA decides per arm, the
// decisions are listed apart) so sweep.json has one shape.
import { addCompute, NO_COMPUTE } from './budget.js';
import { armLabel } from './arms.js';
import { ashaPromotable, type RungResultEntry } from './asha.js';
import type { ArmRecord, RungRecord, SweepState, SweepConfig } from './halving.js';
import { headlineInterval } from './paired.js';
import type { Rung } from './rungs.js';
import type { Scorer } from './harness-scorer.js';
import { freshRun, trainAndScoreTo, type CandidateInput, type CandidateRun, type LoopOptions } from './train-score.js';

export interface AshaDecision {
  rung: number;
  step: number;
  arm: string;
  action: 'promote' | 'stop';
  reason: 'kept' | 'budget' | 'final' | 'leader' | 'deadline';
  mean: number;
  detail: string;
}

export interface AshaLoopOptions extends LoopOptions {
  sweep: Omit<SweepConfig, 'arms' | 'maxStep'> & { rungs: Rung[] };
  /** One entry per worker: the GPU id its trainer gets. */
  gpus: string[];
}

/** One scoring at a time through the shared backend (adapters are swapped in place). */
function serialScorer(s: Scorer): Scorer {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    description: s.description,
    score(req) {
      const next = queue.then(() => s.score(req));
      queue = next.catch(() => undefined);
      return next;
    },
    close: () => s.close(),
  };
}

export async function ashaOverCandidates(cands: readonly CandidateInput[], o: AshaLoopOptions): Promise<{ state: SweepState; runs: CandidateRun[]; decisions: AshaDecision[] }> {
  const rungs = o.sweep.rungs;
  const last = rungs.length - 1;
  const loop: LoopOptions = { ...o, scorer: serialScorer(o.scorer) };
  const runs = new Map(cands.map((c) => [c.name, freshRun(c.name)]));
  const records = new Map<string, ArmRecord>(cands.map((c) => [c.name, { id: c.name, label: armLabel({ id: c.name, params: c.params ?? {} }), params: c.params ?? {}, status: 'active', step: 0, checkpoint: null, stopped: null, compute: NO_COMPUTE, history: [] }]));
  const finished: RungResultEntry[][] = rungs.map(() => []);
  const attempted: string[][] = rungs.map(() => []);
  const promoted: Set<string>[] = rungs.map(() => new Set());
  const decisions: AshaDecision[] = [];
  const notStarted = cands.map((c) => c.name);
  const free = [...o.gpus];
  const running = new Set<Promise<void>>();
  let deadlineHit: string | null = null;
  let scoredLooks = 0;

  const cost = () => {
    const all = [...records.values()].reduce((c, a) => addCompute(c, a.compute), NO_COMPUTE);
    return { perStep: all.steps ? all.trainSeconds / all.steps : 0, perEval: scoredLooks ? all.evalSeconds / scoredLooks : 0 };
  };
  const promotable = (r: number): string[] => {
    const ratio = rungs[r].arms / rungs[r].keep;
    // Crashed arms count among those finished at the rung (the plan's fraction is of arms tried) but are never promoted.
    const entries = attempted[r].map((arm) => finished[r].find((e) => e.arm === arm) ?? { arm, mean: -Infinity });
    return ashaPromotable(entries, promoted[r], ratio).filter((arm) => finished[r].some((e) => e.arm === arm));
  };
  const nextJob = (): { arm: string; toRung: number } | null => {
    for (let r = last - 1; r >= 0; r--) {
      const up = promotable(r);
      if (up.length) return { arm: up[0], toRung: r + 1 };
    }
    return notStarted.length ? { arm: notStarted[0], toRung: 0 } : null;
  };

  const runJob = async (arm: string, toRung: number, gpu: string) => {
    const c = cands.find((x) => x.name === arm)!;
    const run = runs.get(arm)!;
    const rec = records.get(arm)!;
    const step = rungs[toRung].step;
    const before = { train: run.trainSeconds, eval: run.evalSeconds, requests: run.evalRequests, step: run.step };
    o.say?.(`asha: ${arm} → rung ${toRung} (step ${step}) on GPU ${gpu}`);
    const ok = await trainAndScoreTo(c, run, step, loop, gpu);
    attempted[toRung].push(arm);
    const compute = addCompute(rec.compute, { steps: Math.max(0, run.step - before.step), trainSeconds: run.trainSeconds - before.train, evalSeconds: run.evalSeconds - before.eval, evalRequests: run.evalRequests - before.requests });
    if (!ok) {
      records.set(arm, { ...rec, status: 'crashed', step: run.step, compute, stopped: { rung: toRung, reason: 'crashed', detail: run.error ?? 'failed' } });
      return;
    }
    scoredLooks++;
    const h = headlineInterval({ name: arm, tasks: run.tasks! });
    finished[toRung].push({ arm, mean: h.mean });
    records.set(arm, { ...rec, step: run.step, checkpoint: run.checkpoint, compute, history: [...rec.history, { rung: toRung, step, ...h }] });
  };

  for (;;) {
    while (free.length && !deadlineHit) {
      const job = nextJob();
      if (!job) break;
      const rec = records.get(job.arm)!;
      if (o.clock) {
        const { perStep, perEval } = cost();
        const need = (rungs[job.toRung].step - rec.step) * perStep + perEval;
        const leftS = o.clock.deadlineS - o.clock.now() - (o.clock.reserveS ?? 0);
        if (need > leftS) {
          deadlineHit = `${leftS.toFixed(1)}s left after the reserve ${(o.clock.reserveS ?? 0).toFixed(1)}s; ${job.arm} to rung ${job.toRung} needs ~${need.toFixed(1)}s`;
          o.say?.(`asha: ${deadlineHit}: no new jobs`);
          break;
        }
      }
      if (job.toRung === 0) notStarted.shift();
      else {
        const r = job.toRung - 1;
        promoted[r].add(job.arm);
        const mean = finished[r].find((e) => e.arm === job.arm)!.mean;
        decisions.push({ rung: r, step: rungs[r].step, arm: job.arm, action: 'promote', reason: 'kept', mean, detail: `in the top ${rungs[r].keep}/${rungs[r].arms} of the ${attempted[r].length} arm(s) finished at rung ${r} so far (mean ${mean.toFixed(4)})` });
      }
      const gpu = free.shift()!;
      const p: Promise<void> = runJob(job.arm, job.toRung, gpu).finally(() => {
        running.delete(p);
        free.push(gpu);
      });
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }

  // The winner: the best mean at the highest rung reached; the others are stopped where they are.
  const top = [...finished.keys()].reverse().find((r) => finished[r].length > 0);
  const ranked = top === undefined ? [] : [...finished[top]].sort((a, b) => b.mean - a.mean || (a.arm < b.arm ? -1 : 1));
  const winner = ranked[0]?.arm ?? null;
  for (const rec of records.values()) {
    if (rec.status === 'crashed') continue;
    const r = rec.history.length ? rec.history[rec.history.length - 1].rung : -1;
    const mean = rec.history.length ? rec.history[rec.history.length - 1].mean : NaN;
    if (rec.id === winner) {
      records.set(rec.id, { ...rec, status: 'winner' });
      decisions.push({ rung: r, step: rungs[r].step, arm: rec.id, action: 'promote', reason: 'leader', mean, detail: `highest mean at rung ${r} (step ${rungs[r].step})${r === last ? '' : ' (the highest rung reached)'}` });
    } else if (r === -1) {
      records.set(rec.id, { ...rec, status: 'stopped', stopped: { rung: -1, reason: 'deadline', detail: deadlineHit ?? 'not started' } });
    } else {
      const reason = r === top ? (r === last ? 'final' : 'deadline') : deadlineHit && promotable(r).includes(rec.id) ? 'deadline' : 'budget';
      const detail = reason === 'final' ? `final rung: below ${winner}` : reason === 'deadline' ? `deadline: ${deadlineHit ?? 'no time left'}` : `not in the top ${rungs[r].keep}/${rungs[r].arms} at rung ${r} (mean ${mean.toFixed(4)})`;
      records.set(rec.id, { ...rec, status: 'stopped', stopped: { rung: r, reason, detail } });
      decisions.push({ rung: r, step: rungs[r].step, arm: rec.id, action: 'stop', reason, mean, detail });
    }
  }
  const done: RungRecord[] = rungs.filter((_, r) => attempted[r].length > 0).map((rg) => ({ rung: rg.index, step: rg.step, arms: [...attempted[rg.index]], verdict: null, crashed: attempted[rg.index].filter((a) => records.get(a)!.status === 'crashed' && records.get(a)!.stopped?.rung === rg.index) }));
  const arms = cands.map((c) => records.get(c.name)!);
  const finishedState: SweepState['finished'] =
    winner === null
      ? { winner: null, reason: 'all-crashed', detail: 'no arm was scored' }
      : deadlineHit && top !== last
        ? { winner, reason: 'deadline', detail: `deadline: ${winner} led rung ${top}; ${deadlineHit}` }
        : { winner, reason: 'completed', detail: `${winner} has the highest mean at step ${rungs[top!].step}` };
  for (const a of arms) if (a.status === 'stopped' && a.stopped?.reason !== 'final' && runs.get(a.id)!.status === 'ok') Object.assign(runs.get(a.id)!, { status: 'stopped', error: a.stopped?.detail ?? null });
  const state: SweepState = { config: { ...o.sweep, arms: cands.map((c) => ({ id: c.name, params: c.params ?? {} })), maxStep: o.maxSteps }, rungs, arms, done, finished: finishedState };
  return { state, runs: cands.map((c) => runs.get(c.name)!), decisions };
}

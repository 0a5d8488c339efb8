// Compares two run directories: per task (run) and per group, the delta of the main metric with a
// bootstrap CI, exact McNemar for 0/1 metrics with Holm across tasks (and across groups), flips
// both ways, and tolerance gates. Paired by (runName, instanceId, perturbation) on the unperturbed
// instances of each run's main split; refuses when the instance sets or prompts differ unless unpaired.
import { UserError } from '../../core/errors.js';
import type { InstanceRecord, RunResult } from '../../core/results-schema.js';
import { pairedBootstrapCI, unpairedBootstrapCI, type DeltaCI } from '../stats/bootstrap.js';
import { mcnemarExactP } from '../stats/mcnemar.js';
import { holmAdjust } from '../stats/holm.js';
import { mean } from '../stats/quantile.js';
import { pairKey, type RunDir } from '../../core/run-dir.js';
import { describeDifference, firstDifference } from './text-diff.js';
import { GATE_RULE, judgeGate, type GateVerdict, type Tolerance } from './tolerance.js';

export interface CompareOptions {
  unpaired?: boolean;
  tolerances?: Tolerance[];
  resamples?: number;
  seed?: number;
}

export interface Flip {
  instanceId: string;
  perturbation: string | null;
}

export interface McNemarResult {
  /** right in A, wrong in B */
  b: number;
  /** wrong in A, right in B */
  c: number;
  p: number;
  pHolm: number;
}

export interface TaskComparison {
  runName: string;
  scenario: string;
  groups: string[];
  metric: string;
  nA: number;
  nB: number;
  meanA: number;
  meanB: number;
  ci: DeltaCI;
  binary: boolean;
  mcnemar: McNemarResult | null;
  flips: { rightToWrong: Flip[]; wrongToRight: Flip[] } | null;
}

export interface GroupComparison {
  group: string;
  runs: string[];
  /** Instances behind the group's interval (paired: per side). */
  n: number;
  meanA: number;
  meanB: number;
  ci: DeltaCI;
  mcnemar: McNemarResult | null;
}

export interface RunLabel {
  dir: string;
  evalfirstVersion: string;
  gitCommit: string | null;
  createdAt: string;
}

export interface CompareReport {
  a: RunLabel;
  b: RunLabel;
  paired: boolean;
  tasks: TaskComparison[];
  groups: GroupComparison[];
  gates: GateVerdict[];
  /** Runs present on one side only (unpaired mode; paired mode refuses instead). */
  onlyInA: string[];
  onlyInB: string[];
  passed: boolean;
  gateRule: string;
}

interface TaskRecords {
  run: RunResult;
  records: Map<string, InstanceRecord>;
}

/** The unperturbed main-split records of each run that carry a score for its main metric. */
function taskRecords(side: RunDir, label: string): Map<string, TaskRecords> {
  const byRun = new Map<string, TaskRecords>();
  for (const run of side.results.runs) byRun.set(run.name, { run, records: new Map() });
  for (const rec of side.instances) {
    const t = byRun.get(rec.runName);
    if (!t) throw new UserError(`${side.dir}/instances.jsonl: instance ${rec.instanceId} belongs to run "${rec.runName}", which results.json (${label}) does not list`);
    if (rec.perturbation !== null || (t.run.mainSplit && rec.split !== t.run.mainSplit)) continue;
    if (typeof rec.scores[t.run.mainMetric] !== 'number') continue; // errored requests carry no score
    t.records.set(pairKey(rec), rec);
  }
  return byRun;
}

function isBinary(values: Iterable<number>): boolean {
  for (const v of values) if (v !== 0 && v !== 1) return false;
  return true;
}

/** Why a paired comparison of this run is impossible, or null. */
function pairingProblem(runName: string, a: TaskRecords, b: TaskRecords): string | null {
  const missingInB = [...a.records.keys()].filter((k) => !b.records.has(k));
  const missingInA = [...b.records.keys()].filter((k) => !a.records.has(k));
  if (missingInB.length || missingInA.length) {
    const show = (ks: string[]) => ks.slice(0, 3).map((k) => k.split('\u0000')[1]).join(', ') + (ks.length > 3 ? ', …' : '');
    const parts = [];
    if (missingInB.length) parts.push(`${missingInB.length} scored instance(s) only in A (${show(missingInB)})`);
    if (missingInA.length) parts.push(`${missingInA.length} only in B (${show(missingInA)})`);
    return `run "${runName}": instance sets differ: ${parts.join('; ')}`;
  }
  for (const [k, ra] of a.records) {
    const rb = b.records.get(k)!;
    const d = firstDifference(ra.prompt, rb.prompt);
    if (d) return `run "${runName}": prompts differ for instance ${ra.instanceId}: ${describeDifference(d)}`;
  }
  if (a.run.mainMetric !== b.run.mainMetric) return `run "${runName}": main metric differs (${a.run.mainMetric} vs ${b.run.mainMetric})`;
  return null;
}

function compareTaskPaired(runName: string, a: TaskRecords, b: TaskRecords, opts: CompareOptions): TaskComparison {
  const metric = a.run.mainMetric;
  const diffs: number[] = [];
  const va: number[] = [];
  const vb: number[] = [];
  const rightToWrong: Flip[] = [];
  const wrongToRight: Flip[] = [];
  for (const [k, ra] of a.records) {
    const x = ra.scores[metric];
    const y = b.records.get(k)!.scores[metric];
    va.push(x);
    vb.push(y);
    diffs.push(y - x);
  }
  const binary = isBinary(va) && isBinary(vb);
  let mcnemar: McNemarResult | null = null;
  if (binary) {
    for (const [k, ra] of a.records) {
      const x = ra.scores[metric];
      const y = b.records.get(k)!.scores[metric];
      if (x === 1 && y === 0) rightToWrong.push({ instanceId: ra.instanceId, perturbation: ra.perturbation });
      if (x === 0 && y === 1) wrongToRight.push({ instanceId: ra.instanceId, perturbation: ra.perturbation });
    }
    mcnemar = { b: rightToWrong.length, c: wrongToRight.length, p: mcnemarExactP(rightToWrong.length, wrongToRight.length), pHolm: NaN };
  }
  return {
    runName,
    scenario: a.run.scenario,
    groups: a.run.groups ?? [],
    metric,
    nA: va.length,
    nB: vb.length,
    meanA: mean(va),
    meanB: mean(vb),
    ci: pairedBootstrapCI([diffs], { resamples: opts.resamples, seed: opts.seed }),
    binary,
    mcnemar,
    flips: binary ? { rightToWrong, wrongToRight } : null,
  };
}

function scoresOf(t: TaskRecords): number[] {
  return [...t.records.values()].map((r) => r.scores[t.run.mainMetric]);
}

function compareTaskUnpaired(runName: string, a: TaskRecords, b: TaskRecords, opts: CompareOptions): TaskComparison {
  const va = scoresOf(a);
  const vb = scoresOf(b);
  return {
    runName,
    scenario: a.run.scenario,
    groups: a.run.groups ?? [],
    metric: a.run.mainMetric,
    nA: va.length,
    nB: vb.length,
    meanA: mean(va),
    meanB: mean(vb),
    ci: unpairedBootstrapCI([{ a: va, b: vb }], { resamples: opts.resamples, seed: opts.seed }),
    binary: isBinary(va) && isBinary(vb),
    mcnemar: null,
    flips: null,
  };
}

function compareGroup(group: string, runNames: string[], ta: Map<string, TaskRecords>, tb: Map<string, TaskRecords>, tasks: TaskComparison[], opts: CompareOptions, paired: boolean): GroupComparison {
  const members = tasks.filter((t) => runNames.includes(t.runName));
  const ci = paired
    ? pairedBootstrapCI(
        runNames.map((n) => {
          const a = ta.get(n)!;
          const b = tb.get(n)!;
          return [...a.records].map(([k, r]) => b.records.get(k)!.scores[a.run.mainMetric] - r.scores[a.run.mainMetric]);
        }),
        { resamples: opts.resamples, seed: opts.seed },
      )
    : unpairedBootstrapCI(
        runNames.map((n) => ({ a: scoresOf(ta.get(n)!), b: scoresOf(tb.get(n)!) })),
        { resamples: opts.resamples, seed: opts.seed },
      );
  const allBinary = paired && members.every((t) => t.mcnemar);
  const b = members.reduce((s, t) => s + (t.mcnemar?.b ?? 0), 0);
  const c = members.reduce((s, t) => s + (t.mcnemar?.c ?? 0), 0);
  return {
    group,
    runs: runNames,
    n: members.reduce((s, t) => s + Math.min(t.nA, t.nB), 0),
    meanA: mean(members.map((t) => t.meanA)),
    meanB: mean(members.map((t) => t.meanB)),
    ci,
    mcnemar: allBinary ? { b, c, p: mcnemarExactP(b, c), pHolm: NaN } : null,
  };
}

function applyHolm(results: { mcnemar: McNemarResult | null }[]): void {
  const withP = results.filter((r) => r.mcnemar);
  const adjusted = holmAdjust(withP.map((r) => r.mcnemar!.p));
  withP.forEach((r, i) => (r.mcnemar!.pHolm = adjusted[i]));
}

function judgeGates(tolerances: Tolerance[], tasks: TaskComparison[], groups: GroupComparison[]): GateVerdict[] {
  const verdicts: GateVerdict[] = [];
  const named = new Set(tolerances.filter((t) => t.key !== '*').map((t) => t.key));
  for (const tol of tolerances) {
    if (tol.key === '*') {
      for (const g of groups) if (!named.has(g.group)) verdicts.push(judgeGate('*', g.group, 'group', tol.tolerance, g.ci.delta, g.ci.low, g.n));
      for (const t of tasks) if (t.groups.length === 0 && !named.has(t.runName) && !named.has(t.scenario)) verdicts.push(judgeGate('*', t.runName, 'task', tol.tolerance, t.ci.delta, t.ci.low, Math.min(t.nA, t.nB)));
      continue;
    }
    const g = groups.find((x) => x.group === tol.key);
    if (g) {
      verdicts.push(judgeGate(tol.key, g.group, 'group', tol.tolerance, g.ci.delta, g.ci.low, g.n));
      continue;
    }
    const matching = tasks.filter((t) => t.runName === tol.key || t.scenario === tol.key);
    if (matching.length === 0) {
      const known = [...groups.map((x) => x.group), ...new Set(tasks.map((t) => t.scenario))];
      throw new UserError(`--fail-if-drop: "${tol.key}" names no group, scenario or run of these runs (groups/scenarios: ${[...new Set(known)].join(', ') || 'none'})`);
    }
    for (const t of matching) verdicts.push(judgeGate(tol.key, t.runName, 'task', tol.tolerance, t.ci.delta, t.ci.low, Math.min(t.nA, t.nB)));
  }
  return verdicts;
}

function label(side: RunDir): RunLabel {
  return { dir: side.dir, evalfirstVersion: side.results.evalfirstVersion, gitCommit: side.results.gitCommit, createdAt: side.results.createdAt };
}

export function compareRuns(a: RunDir, b: RunDir, opts: CompareOptions = {}): CompareReport {
  const paired = !opts.unpaired;
  const ta = taskRecords(a, 'A');
  const tb = taskRecords(b, 'B');
  const onlyInA = [...ta.keys()].filter((n) => !tb.has(n));
  const onlyInB = [...tb.keys()].filter((n) => !ta.has(n));
  if (paired && (onlyInA.length || onlyInB.length)) {
    const parts = [];
    if (onlyInA.length) parts.push(`only in A: ${onlyInA.join(', ')}`);
    if (onlyInB.length) parts.push(`only in B: ${onlyInB.join(', ')}`);
    throw new UserError(`cannot pair ${a.dir} and ${b.dir}: the runs differ (${parts.join('; ')}). Use --unpaired to compare the common runs unpaired.`);
  }
  const common = [...ta.keys()].filter((n) => tb.has(n));
  const tasks: TaskComparison[] = [];
  for (const name of common) {
    const ra = ta.get(name)!;
    const rb = tb.get(name)!;
    if (ra.records.size === 0 || rb.records.size === 0) continue;
    if (paired) {
      const problem = pairingProblem(name, ra, rb);
      if (problem) throw new UserError(`cannot pair ${a.dir} and ${b.dir}: ${problem}. Use --unpaired to compare them anyway.`);
      tasks.push(compareTaskPaired(name, ra, rb, opts));
    } else {
      tasks.push(compareTaskUnpaired(name, ra, rb, opts));
    }
  }
  if (tasks.length === 0) throw new UserError(`nothing to compare: ${a.dir} and ${b.dir} have no run with scored instances in common`);
  applyHolm(tasks);

  const groupRuns = new Map<string, string[]>();
  for (const t of tasks) for (const g of t.groups) groupRuns.set(g, [...(groupRuns.get(g) ?? []), t.runName]);
  const groups = [...groupRuns].map(([g, runs]) => compareGroup(g, runs, ta, tb, tasks, opts, paired));
  applyHolm(groups);

  const gates = opts.tolerances ? judgeGates(opts.tolerances, tasks, groups) : [];
  return {
    a: label(a),
    b: label(b),
    paired,
    tasks,
    groups,
    gates,
    onlyInA,
    onlyInB,
    passed: gates.every((g) => g.passed),
    gateRule: GATE_RULE,
  };
}

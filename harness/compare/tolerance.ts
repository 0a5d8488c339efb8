// Tolerance gates for `compare --fail-if-drop mmlu=0.01,*=0.02`.
//
// Rule: a gate on a group (or task) passes when the lower bound of the 95 % bootstrap CI of B − A is
// at or above −tolerance (a drop beyond the tolerance is ruled out at that level). Otherwise it is a
// measured drop when the estimate itself is below −tolerance, and inconclusive when only the interval
// reaches there: then it says about how many instances would settle it (half-width ∝ 1/√n).
// A key names a group (e.g. "mmlu"), a run's scenario, or an exact run name; "*" applies to every
// group not named explicitly (and to runs that belong to no group).
import { UserError } from '../../core/errors.js';

export interface Tolerance {
  key: string;
  tolerance: number;
}

export function parseTolerances(spec: string): Tolerance[] {
  const out: Tolerance[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) throw new UserError(`--fail-if-drop: "${part}" is not KEY=TOLERANCE (e.g. mmlu=0.01 or *=0.02)`);
    const key = part.slice(0, eq).trim();
    const value = Number(part.slice(eq + 1));
    if (!Number.isFinite(value) || value < 0) throw new UserError(`--fail-if-drop: tolerance for "${key}" must be a non-negative number, got "${part.slice(eq + 1)}"`);
    if (out.some((t) => t.key === key)) throw new UserError(`--fail-if-drop: "${key}" given twice`);
    out.push({ key, tolerance: value });
  }
  if (out.length === 0) throw new UserError('--fail-if-drop: no KEY=TOLERANCE pairs given');
  return out;
}

export type GateOutcome = 'pass' | 'drop' | 'inconclusive';

export interface GateVerdict {
  key: string;
  target: string;
  kind: 'group' | 'task';
  tolerance: number;
  ciLow: number;
  delta: number;
  /** Paired instances behind the interval. */
  n: number;
  outcome: GateOutcome;
  passed: boolean;
  /** Inconclusive only: about how many instances would bring the lower bound to −tolerance at this estimate (null: not at this estimate). */
  neededN: number | null;
}

/** n' with half-width h·√(n/n') = delta + tolerance, the distance the lower bound may go below the estimate. */
export function instancesToSettle(n: number, delta: number, ciLow: number, tolerance: number): number | null {
  const room = delta + tolerance;
  const half = delta - ciLow;
  if (!(room > 0) || !(half > 0) || n <= 0) return null;
  return Math.ceil(n * (half / room) ** 2);
}

export function judgeGate(key: string, target: string, kind: 'group' | 'task', tolerance: number, delta: number, ciLow: number, n: number): GateVerdict {
  // A tiny epsilon so that a CI bound exactly at −tolerance (e.g. 0 drop with 0 tolerance) passes.
  const eps = 1e-12;
  const outcome: GateOutcome = ciLow >= -tolerance - eps ? 'pass' : delta < -tolerance - eps ? 'drop' : 'inconclusive';
  return { key, target, kind, tolerance, delta, ciLow, n, outcome, passed: outcome === 'pass', neededN: outcome === 'inconclusive' ? instancesToSettle(n, delta, ciLow, tolerance) : null };
}

/** One line for a verdict, used by the terminal and Markdown renderers. */
export function describeGate(v: GateVerdict): string {
  if (v.outcome === 'pass') return 'passed';
  if (v.outcome === 'drop') return `drop beyond tolerance (delta ${v.delta.toFixed(4)} < −${v.tolerance})`;
  return `inconclusive (interval too wide: ${v.neededN === null ? 'cannot be settled at this estimate' : `need about ${v.neededN} instances, have ${v.n}`})`;
}

export const GATE_RULE = 'a gate passes when the lower bound of the 95 % bootstrap CI of (B − A) is ≥ −tolerance; below it, a drop when the estimate is below −tolerance, else inconclusive';

/** Exit codes of `compare --fail-if-drop` (and the JUnit/Markdown verdicts). */
export const COMPARE_EXIT = { passed: 0, drop: 1, usage: 2, inconclusive: 3 } as const;

export function compareExitCode(gates: GateVerdict[]): number {
  if (gates.some((g) => g.outcome === 'drop')) return COMPARE_EXIT.drop;
  if (gates.some((g) => g.outcome === 'inconclusive')) return COMPARE_EXIT.inconclusive;
  return COMPARE_EXIT.passed;
}

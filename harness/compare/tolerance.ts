// Tolerance gates for `compare --fail-if-drop mmlu=0.01,*=0.02`.
//
// Rule: a gate on a group (or task) fails when the lower bound of the 95 % bootstrap CI of B − A is
// below −tolerance, i.e. when a drop larger than the tolerance cannot be ruled out at that level.
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

export interface GateVerdict {
  key: string;
  target: string;
  kind: 'group' | 'task';
  tolerance: number;
  ciLow: number;
  delta: number;
  passed: boolean;
}

export function judgeGate(key: string, target: string, kind: 'group' | 'task', tolerance: number, delta: number, ciLow: number): GateVerdict {
  // A tiny epsilon so that a CI bound exactly at −tolerance (e.g. 0 drop with 0 tolerance) passes.
  return { key, target, kind, tolerance, delta, ciLow, passed: ciLow >= -tolerance - 1e-12 };
}

export const GATE_RULE = 'a gate fails when the lower bound of the 95 % bootstrap CI of (B − A) is below −tolerance';

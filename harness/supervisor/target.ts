// Score targets such as `mmlu >= 0.62 && gsm8k >= 0.35`, decided on confidence bounds:
// a comparison is "met" only when the whole confidence interval is on the right side of the
// threshold, "not_met" when the whole interval is on the wrong side, else "undecided".
import { UserError } from '../../core/errors.js';

export interface ScoreEstimate {
  mean: number;
  ciLow: number;
  ciHigh: number;
  n: number;
}

import { LEGACY_POOLED_TASK, type Verdict } from '../../core/train-schema.js';
import { POOLED } from '../stats/aggregates.js';
type Op = '>=' | '>' | '<=' | '<';

export type TargetExpr =
  | { kind: 'cmp'; task: string; op: Op; threshold: number }
  | { kind: 'and' | 'or'; parts: TargetExpr[] };

/**
 * The pseudo-task `pooled`: every instance of every scored task in one sample (harness/stats/aggregates.ts).
 * `mean`, its name before, is read as `pooled`.
 */
export const AGGREGATE_TASK = POOLED;

export function parseTarget(text: string): TargetExpr {
  const tokens = text.match(/\s*(&&|\|\||>=|<=|>|<|\(|\)|[A-Za-z_][\w.:-]*|\d*\.?\d+(?:e-?\d+)?)\s*/gy);
  if (!tokens || tokens.join('').length !== text.length) throw new UserError(`invalid --target "${text}": expected e.g. "mmlu >= 0.62 && gsm8k >= 0.35"`);
  const toks = tokens.map((t) => t.trim());
  let i = 0;
  const fail = (what: string): never => {
    throw new UserError(`invalid --target "${text}": ${what} at token ${i + 1} ("${toks[i] ?? 'end'}")`);
  };
  const parseOr = (): TargetExpr => {
    const parts = [parseAnd()];
    while (toks[i] === '||') {
      i++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  };
  const parseAnd = (): TargetExpr => {
    const parts = [parseAtom()];
    while (toks[i] === '&&') {
      i++;
      parts.push(parseAtom());
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  };
  const parseAtom = (): TargetExpr => {
    if (toks[i] === '(') {
      i++;
      const e = parseOr();
      if (toks[i] !== ')') fail('expected ")"');
      i++;
      return e;
    }
    const named = toks[i];
    if (!named || !/^[A-Za-z_]/.test(named)) fail('expected a task name');
    const task = named === LEGACY_POOLED_TASK ? AGGREGATE_TASK : (named as string);
    i++;
    const op = toks[i] as Op;
    if (!['>=', '>', '<=', '<'].includes(op)) fail('expected >=, >, <= or <');
    i++;
    const threshold = Number(toks[i]);
    if (toks[i] === undefined || !Number.isFinite(threshold)) fail('expected a number');
    i++;
    return { kind: 'cmp', task, op, threshold };
  };
  const expr = parseOr();
  if (i !== toks.length) fail('unexpected token');
  return expr;
}

export function targetTasks(expr: TargetExpr): string[] {
  return expr.kind === 'cmp' ? [expr.task] : [...new Set(expr.parts.flatMap(targetTasks))];
}

/** Refuses a target naming a task the evaluation does not score (`known`: its tasks; `pooled` is always there). */
export function checkTargetTasks(expr: TargetExpr, known: string[], evaluation: string): void {
  const all = [...known, AGGREGATE_TASK];
  const unknown = targetTasks(expr).filter((t) => !all.includes(t));
  if (unknown.length === 0) return;
  const names = unknown.map((t) => `"${t}"`).join(', ');
  throw new UserError(`--target names ${names}, which ${evaluation} does not score; its tasks: ${all.join(', ')} (the aggregate; alias ${LEGACY_POOLED_TASK})`);
}

export function formatTarget(expr: TargetExpr): string {
  if (expr.kind === 'cmp') return `${expr.task} ${expr.op} ${expr.threshold}`;
  return expr.parts.map((p) => (p.kind === 'cmp' ? formatTarget(p) : `(${formatTarget(p)})`)).join(expr.kind === 'and' ? ' && ' : ' || ');
}

function compare(est: ScoreEstimate | undefined, op: Op, t: number): Verdict {
  if (!est) return 'undecided';
  const above = op === '>=' ? est.ciLow >= t : op === '>' ? est.ciLow > t : op === '<=' ? est.ciHigh <= t : est.ciHigh < t;
  if (above) return 'met';
  const below = op === '>=' ? est.ciHigh < t : op === '>' ? est.ciHigh <= t : op === '<=' ? est.ciLow > t : est.ciLow >= t;
  return below ? 'not_met' : 'undecided';
}

/** Three-valued evaluation of a target on per-task estimates. */
export function judgeTarget(expr: TargetExpr, scores: Record<string, ScoreEstimate>): Verdict {
  if (expr.kind === 'cmp') return compare(scores[expr.task], expr.op, expr.threshold);
  const verdicts = expr.parts.map((p) => judgeTarget(p, scores));
  if (expr.kind === 'and') {
    if (verdicts.every((v) => v === 'met')) return 'met';
    return verdicts.includes('not_met') ? 'not_met' : 'undecided';
  }
  if (verdicts.includes('met')) return 'met';
  return verdicts.every((v) => v === 'not_met') ? 'not_met' : 'undecided';
}

/** Point-estimate evaluation (used to rank checkpoints, never to stop). */
export function targetMetOnMeans(expr: TargetExpr, scores: Record<string, ScoreEstimate>): boolean {
  const asPoint: Record<string, ScoreEstimate> = {};
  for (const [k, v] of Object.entries(scores)) asPoint[k] = { ...v, ciLow: v.mean, ciHigh: v.mean };
  return judgeTarget(expr, asPoint) === 'met';
}

// A metric is a value a run spec holds: its name (the key in results.json), HELM's display names
// (schema.yaml), and how it scores: per request (the run's value is then the instance mean, with
// worst cases under canonical augmentation: tasks/metrics/aggregate.ts), and/or over the whole run
// (HELM's Metric.evaluate_instances, e.g. BiasMetric over every completion text of the run).
import type { Instance } from '../instance.js';
import type { Completion } from '../../core/request.js';

/** What a metric reads of a request (a RequestState has these fields). */
export interface MetricState {
  runName: string;
  /** Index of the request within its run. */
  index: number;
  instance: Instance;
  /** MCQ-joint: letter → reference text. */
  outputMapping?: Record<string, string>;
  /** The perturbation that produced the instance (robustness/fairness), or undefined for the original. */
  perturbation?: string;
}

/** One answered request as a run-level metric sees it: its state and every completion it got. */
export interface RequestOutcome {
  state: MetricState;
  completions: readonly Completion[];
}

/** Scores one request from all its completions (HELM keeps every completion of a request). */
export type PerRequestScore = (state: MetricState, completions: readonly Completion[]) => number;

/**
 * A run-level value: a number, or no value with the reason (HELM's None, or data the metric needs is
 * absent); results.json then keeps the metric with count 0 and the note, so the leaderboard can say why.
 */
export type RunValue = number | { value: null; note: string };

/**
 * One value from a run's answered requests of the main split, unperturbed (HELM calls
 * evaluate_instances per split and perturbation; a run-level value has no worst case). null: the
 * metric does not apply and is left out of results.json.
 */
export type RunScore = (requests: readonly RequestOutcome[]) => RunValue | null;

interface MetricNames {
  /** HELM's metric name, the key in results.json ("exact_match"). */
  readonly name: string;
  /** schema.yaml display_name ("Exact match"). */
  readonly displayName: string;
  /** schema.yaml short_display_name where it has one ("EM"): what HELM's tables and the organisers' columns show. */
  readonly shortDisplayName?: string;
  /** schema.yaml lower_is_better (the bias metrics). */
  readonly lowerIsBetter?: boolean;
}

/** A metric scores each request, the whole run, or both (then the run's value is `aggregate`'s). */
export type Metric = MetricNames & ({ readonly perRequest: PerRequestScore; readonly aggregate?: RunScore } | { readonly perRequest?: undefined; readonly aggregate: RunScore });

/** The title HELM's tables give a metric (short display name, else display name). */
export function metricTitle(metric: Metric): string {
  return metric.shortDisplayName ?? metric.displayName;
}

/** Two metrics of one run with the same name would overwrite each other in results.json. */
export function checkMetrics(runSpec: { name: string; metrics: readonly Metric[] }): void {
  const seen = new Set<string>();
  for (const m of runSpec.metrics) {
    if (seen.has(m.name)) throw new Error(`run ${runSpec.name}: metric "${m.name}" listed twice`);
    seen.add(m.name);
  }
}

// A run spec's per-request metrics applied to one request's completion(s): metric name → score.
import type { Completion } from '../../core/request.js';
import type { Metric, MetricState } from './metric.js';

export function scoreRequest(
  runSpec: { metrics: readonly Metric[] },
  state: MetricState,
  completion: Completion | readonly Completion[],
): Record<string, number> {
  const completions: readonly Completion[] = Array.isArray(completion) ? completion : [completion as Completion];
  const scores: Record<string, number> = {};
  for (const m of runSpec.metrics) if (m.perRequest) scores[m.name] = m.perRequest(state, completions);
  return scores;
}

// Run-level metrics (RunSpec.runMetrics): one value per run from every completion text of the main
// split's unperturbed requests, as HELM's Metric.evaluate calls evaluate_instances per context
// (split, perturbation) and the tables read the main split's. A metric without a value keeps
// count 0 and says why in `note` (the leaderboard then counts it as missing, as the organisers did).
import type { MetricStat } from '../../core/results-schema.js';
import type { Completion } from '../../core/request.js';
import type { RequestState, RunSpec } from '../run-spec.js';
import { perturbationKind } from './aggregate.js';

export function aggregateRunMetrics(runSpec: RunSpec, records: { state: RequestState; completion: Completion }[]): Record<string, MetricStat> {
  const metrics = runSpec.runMetrics ?? [];
  if (metrics.length === 0) return {};
  const texts = records
    .filter((r) => r.state.instance.split === runSpec.mainSplit && perturbationKind(r.state) === null)
    .map((r) => r.completion.text);
  const out: Record<string, MetricStat> = {};
  for (const m of metrics) {
    const { value, note } = m.compute(texts);
    out[m.name] = value === null ? { mean: NaN, stderr: 0, count: 0, ...(note ? { note } : {}) } : { mean: value, stderr: 0, count: 1 };
  }
  return out;
}

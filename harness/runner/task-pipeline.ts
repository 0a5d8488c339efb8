// The runner's Pipeline bound to tasks/: HELM's eval-instance selection, canonical augmentation,
// adaptation with the backend's tokenizer-based prompt window, the metric registry and aggregation.
import { runSpecsForEntry } from '../../tasks/registry.js';
import { adaptRun, prepareRunInstances, windowFromBackend } from '../../tasks/adapters/adapt.js';
import { augmentInstances } from '../../tasks/augment/index.js';
import { checkMetrics, scoreRequest } from '../../tasks/metrics/registry.js';
import { aggregateRun, aggregateGroups } from '../../tasks/metrics/aggregate.js';
import { aggregateRunMetrics } from '../../tasks/metrics/run-metrics.js';
import { inHelmProcessOrder } from '../../tasks/suites/process-order.js';
import type { Pipeline } from './pipeline.js';

export function taskPipeline(): Pipeline {
  return {
    async runSpecsForEntry(entry, options) {
      const specs = await runSpecsForEntry(entry, options);
      specs.forEach(checkMetrics); // an unknown metric fails before any request is sent
      return specs;
    },
    inProcessOrder: (order, label, targets) => inHelmProcessOrder(order, label, targets),
    async planRun(runSpec, backend, dataDir, filter) {
      const all = await runSpec.scenario.load(dataDir);
      const { train, eval: selected } = prepareRunInstances(runSpec, all);
      let evalInstances = filter ? selected.filter((i) => filter(runSpec.name, i)) : selected;
      if (runSpec.dataAugmentation === 'canonical') evalInstances = await augmentInstances(evalInstances, dataDir);
      return adaptRun(runSpec, evalInstances, train, windowFromBackend(backend));
    },
    score: (runSpec, state, completion) => scoreRequest(runSpec, state, completion),
    aggregateRun: (runSpec, records) => ({ ...aggregateRun(runSpec, records), ...aggregateRunMetrics(runSpec, records) }),
    aggregateGroups: (runs) => aggregateGroups(runs),
  };
}

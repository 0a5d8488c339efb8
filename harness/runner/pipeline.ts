// The task-side steps the runner drives, behind one small interface: resolve run entries, turn a
// run spec into requests (select eval instances, augment, adapt), score an answer, aggregate.
// `taskPipeline()` binds them to tasks/; the runner itself knows nothing of HELM's mechanics.
import type { Backend } from '../../model/backends/backend.js';
import type { Completion } from '../../model/request.js';
import type { Instance } from '../../tasks/instance.js';
import type { RequestState, RunSpec } from '../../tasks/run-spec.js';
import type { GroupResult, MetricStat, RunResult } from '../results-schema.js';

export interface ScoredRequest {
  state: RequestState;
  completion: Completion;
  scores: Record<string, number>;
}

export type InstanceFilter = (runName: string, instance: Instance) => boolean;

export interface Pipeline {
  runSpecsForEntry(entry: string, options: { defaultMaxEvalInstances?: number; dataDir?: string }): Promise<RunSpec[]>;
  /** `targets` as run in one helm-run process over `order` (named `label`): scenarios that draw from the process's random state get it. */
  inProcessOrder?(order: RunSpec[], label: string, targets: RunSpec[]): RunSpec[];
  /** Eval instances chosen as HELM does (then `filter`), augmented when asked, adapted into requests. */
  planRun(runSpec: RunSpec, backend: Backend, dataDir: string, filter?: InstanceFilter): Promise<RequestState[]>;
  score(runSpec: RunSpec, state: RequestState, completion: Completion): Record<string, number>;
  aggregateRun(runSpec: RunSpec, records: ScoredRequest[]): Record<string, MetricStat>;
  aggregateGroups(runs: RunResult[]): GroupResult[];
}

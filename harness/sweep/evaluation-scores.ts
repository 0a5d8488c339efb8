// An evaluation's instance records as CandidateScores: task = the run's run group (HELM's unit of a
// headline: mini_mmlu, mini_bbq, …), instance = "run name|instance id", score = the run's main metric
// on the unperturbed main-split instances; a request that errored counts as wrong (0), as the
// supervisor counts it. Two candidates scored on the same entries pair instance by instance.
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import type { TaskScores } from './paired.js';

export interface EvaluationScores {
  tasks: TaskScores;
  /** Requests that errored (scored 0). */
  errors: number;
}

export function scoresFromEvaluation(results: ResultsFile, records: readonly InstanceRecord[]): EvaluationScores {
  const byRun = new Map(results.runs.map((r) => [r.name, r]));
  const tasks: TaskScores = {};
  let errors = 0;
  for (const rec of records) {
    const run = byRun.get(rec.runName);
    if (!run || rec.perturbation !== null || rec.split !== run.mainSplit) continue;
    const score = rec.error ? 0 : rec.scores[run.mainMetric];
    if (rec.error) errors++;
    if (typeof score !== 'number') continue;
    (tasks[run.groups[0] ?? run.scenario] ??= {})[`${rec.runName}|${rec.instanceId}`] = score;
  }
  return { tasks, errors };
}

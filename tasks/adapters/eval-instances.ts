// Which instances a run uses (HELM v0.3.0 runner.run_one → with_instance_ids, then
// Adapter.get_run_instances): all train instances, and at most max_eval_instances of the valid+test
// instances chosen by `np.random.seed(0); np.random.choice(eval, k, replace=False)`, in that order.
import { NumpyRandomState } from '../random/numpy-random.js';
import type { Instance } from '../instance.js';
import type { RunSpec } from '../run-spec.js';

/** with_instance_ids: "id0", "id1", ... in scenario order, for instances the scenario left without an id. */
export function withInstanceIds(all: readonly Instance[]): Instance[] {
  return all.map((inst, i) => (inst.id ? inst : { ...inst, id: `id${i}` }));
}

export function isEvalSplit(inst: Instance): boolean {
  return inst.split === 'valid' || inst.split === 'test';
}

/** Indices (into `evalCount` pooled eval instances) that get_run_instances keeps, in HELM's order. */
export function selectedEvalIndices(evalCount: number, maxEvalInstances: number | null): number[] {
  if (maxEvalInstances === null || evalCount <= maxEvalInstances) return Array.from({ length: evalCount }, (_, i) => i);
  return new NumpyRandomState(0).choiceWithoutReplacement(evalCount, maxEvalInstances);
}

export interface RunInstances {
  train: Instance[];
  eval: Instance[];
}

/** The train instances and the selected eval instances of a run. */
export function prepareRunInstances(runSpec: RunSpec, all: readonly Instance[]): RunInstances {
  const withIds = withInstanceIds(all);
  const train = withIds.filter((i) => i.split === 'train');
  const pooled = withIds.filter(isEvalSplit);
  const evalInstances = selectedEvalIndices(pooled.length, runSpec.adapterSpec.maxEvalInstances).map((i) => pooled[i]);
  return { train, eval: evalInstances };
}

/** The eval instances of a run (valid+test pooled, downsampled exactly as HELM). */
export function prepareEvalInstances(runSpec: RunSpec, all: readonly Instance[]): Instance[] {
  return prepareRunInstances(runSpec, all).eval;
}

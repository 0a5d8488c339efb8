// From a run spec to the requests of its run: the eval instances HELM selects (then the caller's
// filter, e.g. a supervisor's adaptive sample), canonical augmentation when the spec asks, and
// adaptation with prompts fitted through the backend's own tokenizer.
import type { Backend } from '../../core/backend.js';
import type { Instance } from '../../tasks/instance.js';
import type { RequestState, RunSpec } from '../../tasks/run-spec.js';
import { adaptRun, prepareRunInstances, windowFromBackend } from '../../tasks/adapters/adapt.js';
import { augmentInstances } from '../../tasks/augment/index.js';
import { UserError, isUserError } from '../../core/errors.js';

export type InstanceFilter = (runName: string, instance: Instance) => boolean;

export async function planRun(runSpec: RunSpec, backend: Backend, dataDir: string, filter?: InstanceFilter): Promise<RequestState[]> {
  const all = await runSpec.scenario.load(dataDir);
  const { train, eval: selected } = prepareRunInstances(runSpec, all);
  let evalInstances = filter ? selected.filter((i) => filter(runSpec.name, i)) : selected;
  if (runSpec.dataAugmentation === 'canonical') evalInstances = await augmentInstances(evalInstances, dataDir);
  // The model's own context, where the server reports one (a failed look is left to /tokenize to report).
  const context = (await backend.contextLength?.().catch(() => null)) ?? null;
  try {
    return await adaptRun(runSpec, evalInstances, train, windowFromBackend(backend, context));
  } catch (err) {
    if (isUserError(err)) throw new UserError(`run ${runSpec.name}: ${err.message}`, err.exitCode);
    throw err;
  }
}

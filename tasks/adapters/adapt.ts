// Adaptation: eval instances → requests (HELM InContextLearningAdapter.adapt with the generation and
// multiple_choice_joint adapters). One example set is sampled per train trial and shared by every
// eval instance, perturbed copies included; each prompt is fitted to the context window.
import pLimit from 'p-limit';
import type { AdapterSpec } from './adapter-spec.js';
import { exampleBlock, outputMapping } from './example-block.js';
import { makePromptFit } from './fit-prompt.js';
import { promptText, promptTruncated, type Prompt } from './prompt.js';
import { sampleExamples } from './sample-examples.js';
import type { PromptWindow } from './window.js';
import type { Instance } from '../instance.js';
import type { RequestState, RunSpec } from '../run-spec.js';
import type { CompletionRequest } from '../../core/request.js';

export interface AdaptOptions {
  /** Prompts fitted at once (each may ask the tokenizer); HELM uses its -n parallelism. */
  concurrency?: number;
}

/** The unfitted prompt of one eval instance. */
export function buildPrompt(spec: AdapterSpec, trainBlocks: string[], evalInstance: Instance): Prompt {
  return {
    globalPrefix: spec.globalPrefix,
    instancePrefix: spec.instancePrefix,
    substitutions: spec.substitutions,
    instructionsBlock: spec.instructions,
    trainInstanceBlocks: trainBlocks,
    evalInstanceBlock: exampleBlock(spec, evalInstance, false),
  };
}

/** The request HELM sends for a prompt. */
export function buildRequest(spec: AdapterSpec, prompt: string): CompletionRequest {
  const common = { prompt, temperature: spec.temperature, maxTokens: spec.maxTokens, topP: 1, echoPrompt: false };
  if (spec.method === 'multiple_choice_joint') {
    // HELM asks for one completion and num_outputs top candidates per token, and sends no stop
    // sequences (hard-coded `stop_sequences=[]` since HELM's "fix adapter to make MMLU work",
    // cb43eaf06): the answer is the single next token, so the adapter's ["\n"] is not sent.
    return { ...common, numCompletions: 1, topKPerToken: spec.numOutputs, stopSequences: [] };
  }
  // Generation: num_outputs completions, Request's default top_k_per_token = 1.
  return { ...common, numCompletions: spec.numOutputs, topKPerToken: 1, stopSequences: [...spec.stopSequences] };
}

function perturbationOf(instance: Instance): string | undefined {
  const p = instance.meta?.perturbation;
  return p === undefined || p === '' ? undefined : String(p);
}

export async function adaptRun(
  runSpec: RunSpec,
  evalInstances: Instance[],
  trainInstances: Instance[],
  window: PromptWindow,
  options: AdaptOptions = {},
): Promise<RequestState[]> {
  const spec = runSpec.adapterSpec;
  const windowSize = window.maxSequenceLength ?? spec.maxSequenceLength;
  const limit = pLimit(options.concurrency ?? 30);
  const train = trainInstances.filter((i) => i.split === 'train');
  const states: Promise<RequestState>[] = [];
  for (let trial = 0; trial < spec.numTrainTrials; trial++) {
    const examples = sampleExamples(train, trial, spec.maxTrainInstances, spec.sampleTrain);
    const trainBlocks = examples.map((e) => exampleBlock(spec, e, true));
    evalInstances.forEach((instance) => {
      const index = states.length;
      states.push(
        limit(async (): Promise<RequestState> => {
          const fitted = await makePromptFit(buildPrompt(spec, trainBlocks, instance), window, spec.maxTokens, windowSize);
          const state: RequestState = {
            runName: runSpec.name,
            instance,
            index,
            request: buildRequest(spec, promptText(fitted)),
            numTrainInstances: fitted.trainInstanceBlocks.length,
            trainTrialIndex: trial,
            promptTruncated: promptTruncated(fitted),
          };
          if (spec.method === 'multiple_choice_joint') state.outputMapping = outputMapping(instance);
          const perturbation = perturbationOf(instance);
          if (perturbation !== undefined) state.perturbation = perturbation;
          return state;
        }),
      );
    });
  }
  return Promise.all(states);
}

// The runner's one import point for adaptation.
export { prepareEvalInstances, prepareRunInstances } from './eval-instances.js';
export { windowFromBackend, type PromptWindow } from './window.js';

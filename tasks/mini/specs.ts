// Adapter specs of the mini-challenge: HELM's factories with the challenge's nouns, but zero-shot and
// a 256-token window, because the shipped tiny base has a 256-token context.
import type { AdapterSpec } from '../adapters/adapter-spec.js';
import { generationSpec, multipleChoiceJointSpec } from '../adapters/helm-specs.js';

export const MINI_WINDOW = 256;

export function miniMmluSpec(subject: string): AdapterSpec {
  return multipleChoiceJointSpec({
    instructions: `The following are multiple choice questions (with answers) about ${subject.replace(/_/g, ' ')}.`,
    inputNoun: 'Question',
    outputNoun: 'Answer',
    maxTrainInstances: 0,
    extra: { maxSequenceLength: MINI_WINDOW },
  });
}

export function miniTruthfulqaSpec(): AdapterSpec {
  return multipleChoiceJointSpec({
    instructions: '',
    inputNoun: 'Question',
    outputNoun: 'Answer',
    maxTrainInstances: 0,
    extra: { maxSequenceLength: MINI_WINDOW },
  });
}

export function miniBbqSpec(): AdapterSpec {
  return multipleChoiceJointSpec({
    instructions: 'The following are multiple choice questions (with answers).',
    inputNoun: 'Passage',
    outputNoun: 'Answer',
    maxTrainInstances: 0,
    extra: { maxSequenceLength: MINI_WINDOW },
  });
}

export function miniGsmSpec(): AdapterSpec {
  return generationSpec({
    inputNoun: 'Q',
    outputNoun: 'A',
    maxTrainInstances: 0,
    maxTokens: 48,
    stopSequences: ['\n\n'],
    extra: { maxSequenceLength: MINI_WINDOW },
  });
}

// HELM adaptation: example sampling (vs CPython), prompt blocks, requests, context-window fitting.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { sampleExamples } from '../../tasks/adapters/sample-examples.js';
import { exampleBlock, referencePrefix } from '../../tasks/adapters/example-block.js';
import { comparePythonStrings, pyRstrip as rstrip } from '../../tasks/text/python-str.js';
import { promptText, pythonReplacement, type Prompt } from '../../tasks/adapters/prompt.js';
import { makePromptFit } from '../../tasks/adapters/fit-prompt.js';
import { windowFromBackend, type PromptWindow } from '../../tasks/adapters/window.js';
import { adaptRun, buildRequest, prepareEvalInstances } from '../../tasks/adapters/adapt.js';
import { withInstanceIds } from '../../tasks/adapters/eval-instances.js';
import { adapterSpec, type AdapterSpec } from '../../tasks/adapters/adapter-spec.js';
import { generationSpec, multipleChoiceJointSpec } from '../../tasks/adapters/helm-specs.js';
import type { Instance } from '../../tasks/instance.js';
import type { RunSpec, Scenario } from '../../tasks/run-spec.js';
import type { Backend, TokenizeOptions } from '../../core/backend.js';

const inst = (id: string, input: string, refs: [string, boolean][], split: Instance['split'] = 'train', meta?: Instance['meta']): Instance => ({
  id,
  input,
  references: refs.map(([text, correct]) => ({ text, correct })),
  split,
  ...(meta ? { meta } : {}),
});

const dummyScenario: Scenario = { name: 'dummy', load: async () => [], files: () => [] };
const runSpec = (spec: AdapterSpec): RunSpec => ({ name: 'dummy:x=1', scenario: dummyScenario, adapterSpec: spec, metrics: [], groups: ['dummy'], mainMetric: 'exact_match', mainSplit: 'test', dataAugmentation: null });

/** A toy tokenizer: one token per whitespace-separated word, plus a BOS token, as a server would count. */
function wordWindow(size: number): PromptWindow & { calls: number } {
  const w = {
    calls: 0,
    maxSequenceLength: size,
    async countTokens(text: string) {
      w.calls++;
      return 1 + text.split(/\s+/).filter(Boolean).length;
    },
    // Keeps the first maxTokens - 1 words (BOS takes one), joined by single spaces.
    async truncate(text: string, maxTokens: number) {
      return text.split(/\s+/).filter(Boolean).slice(0, Math.max(0, maxTokens - 1)).join(' ');
    },
  };
  return w;
}

describe('sampleExamples (HELM sample_examples on the CPython replica)', () => {
  const vectors = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/random/sample-examples.json'), 'utf8')) as {
    case: string;
    labels: (string | null)[];
    seed: number;
    k: number;
    ids: string[];
  }[];
  it(`matches ${vectors.length} vectors from CPython`, () => {
    expect(vectors.length).to.be.greaterThan(20);
    for (const v of vectors) {
      const train = v.labels.map((l, i) => inst(`t${i}`, `x${i}`, l === null ? [['none', false]] : [[l, true]]));
      expect(sampleExamples(train, v.seed, v.k).map((e) => e.id), `${v.case} seed=${v.seed} k=${v.k}`).to.deep.equal(v.ids);
    }
  });

  it('takes train[k*seed : k*(seed+1)] when sample_train is false', () => {
    const train = Array.from({ length: 7 }, (_, i) => inst(`t${i}`, `x${i}`, [['a', true]]));
    expect(sampleExamples(train, 0, 3, false).map((e) => e.id)).to.deep.equal(['t0', 't1', 't2']);
    expect(sampleExamples(train, 1, 3, false).map((e) => e.id)).to.deep.equal(['t3', 't4', 't5']);
    expect(sampleExamples(train, 0, 0).map((e) => e.id)).to.deep.equal([]);
  });

  it('orders labels by code point as Python sorts strings', () => {
    expect(['\u{1F600}', '\uFF21', 'a'].sort(comparePythonStrings)).to.deep.equal(['a', '\uFF21', '\u{1F600}']);
  });
});

describe('prompt blocks', () => {
  const mcq = multipleChoiceJointSpec({ instructions: 'Pick one.', inputNoun: 'Question', outputNoun: 'Answer' });
  const q = inst('i', 'What?', [['red', false], ['blue', true], ['green', true]]);

  it('writes MCQ-joint in-context and eval blocks', () => {
    expect(exampleBlock(mcq, q, true)).to.equal('Question: What?\nA. red\nB. blue\nC. green\nAnswer: B\n');
    expect(exampleBlock(mcq, q, false)).to.equal('Question: What?\nA. red\nB. blue\nC. green\nAnswer:');
    expect(exampleBlock({ ...mcq, multiLabel: true }, q, true)).to.match(/Answer: B, C\n$/);
    expect(exampleBlock(mcq, inst('n', 'None?', [['x', false]]), true)).to.match(/Answer: n\/a\n$/);
    expect(referencePrefix('(A) ', 27)).to.equal(`(${String.fromCharCode(65 + 27)}) `);
  });

  it('omits input prefix and suffix without an input noun (HELM v0.3.0)', () => {
    const spec = multipleChoiceJointSpec({ instructions: '', inputNoun: null, outputNoun: 'Answer' });
    expect(exampleBlock(spec, q, false)).to.equal('What?A. red\nB. blue\nC. green\nAnswer:');
  });

  it('writes generation blocks (first correct reference, n/a, rstripped eval output prefix)', () => {
    const gsm = generationSpec({ inputNoun: 'Q', outputNoun: 'A', maxTokens: 400, stopSequences: ['\n\n'] });
    const g = inst('g', '2+2?', [['wrong', false], ['4.', true], ['four', true]]);
    expect(exampleBlock(gsm, g, true)).to.equal('Q: 2+2?\nA: 4.\n');
    expect(exampleBlock(gsm, g, false)).to.equal('Q: 2+2?\nA:');
    expect(exampleBlock({ ...gsm, multiLabel: true }, g, true)).to.equal('Q: 2+2?\nA: 4., four\n');
    const nl = generationSpec({ inputNoun: 'Scenario', newlineAfterInputNoun: true, outputNoun: 'Summary', newlineAfterOutputNoun: true });
    expect(exampleBlock(nl, g, false)).to.equal('Scenario:\n2+2?\nSummary:');
    expect(rstrip('Answer: \n\t\u3000')).to.equal('Answer:');
    expect(rstrip('x\ufeff')).to.equal('x\ufeff'); // not whitespace to Python
  });

  it('joins blocks with instance_prefix, omits an empty instruction block, applies global prefix and substitutions', () => {
    const p: Prompt = { globalPrefix: '', instancePrefix: '\n', substitutions: [], instructionsBlock: 'Do it.\n', trainInstanceBlocks: ['E1\n', 'E2\n'], evalInstanceBlock: 'Q:' };
    expect(promptText(p)).to.equal('Do it.\n\nE1\n\nE2\n\nQ:');
    expect(promptText({ ...p, instructionsBlock: '' })).to.equal('E1\n\nE2\n\nQ:');
    expect(promptText({ ...p, globalPrefix: '[NLG]', trainInstanceBlocks: [] })).to.equal('[NLG] Do it.\n\nQ:');
    expect(promptText({ ...p, trainInstanceBlocks: [], substitutions: [{ source: '\n', target: '<br>\n' }] })).to.equal('Do it.<br>\n<br>\nQ:');
    expect(promptText({ ...p, truncatedText: 'cut' })).to.equal('cut');
    expect(promptText({ ...p, truncatedText: '' })).to.equal('Do it.\n\nE1\n\nE2\n\nQ:'); // HELM: `if self.truncated_text`
    expect(pythonReplacement('$1 \\1 \\g<x> \\n')).to.equal('$$1 $1 $<x> \n');
  });
});

describe('requests', () => {
  it('MCQ-joint: one completion, top_k_per_token = num_outputs, no stop sequences', () => {
    const spec = multipleChoiceJointSpec({ instructions: '', inputNoun: 'Question', outputNoun: 'Answer' });
    expect(buildRequest(spec, 'P')).to.deep.equal({ prompt: 'P', temperature: 0, maxTokens: 1, topP: 1, echoPrompt: false, numCompletions: 1, topKPerToken: 5, stopSequences: [] });
  });
  it('generation: num_outputs completions, top_k_per_token 1, the spec stop sequences', () => {
    const spec = generationSpec({ inputNoun: 'Q', outputNoun: 'A', maxTokens: 400, stopSequences: ['\n\n'], temperature: 0.3 });
    expect(buildRequest(spec, 'P')).to.deep.equal({ prompt: 'P', temperature: 0.3, maxTokens: 400, topP: 1, echoPrompt: false, numCompletions: 1, topKPerToken: 1, stopSequences: ['\n\n'] });
  });
});

describe('context-window fitting (_make_prompt_fit)', () => {
  const base: Prompt = {
    globalPrefix: '',
    instancePrefix: '\n',
    substitutions: [],
    instructionsBlock: 'i1 i2\n',
    trainInstanceBlocks: ['a1 a2 a3\n', 'b1 b2 b3\n', 'c1 c2 c3\n'],
    evalInstanceBlock: 'q1 q2 q3',
  };
  // Words: 2 + 3*3 + 3 = 14, +1 BOS = 15 tokens.

  it('keeps the prompt when tokens + max_tokens fit', async () => {
    const p = await makePromptFit(base, wordWindow(20), 5, 20);
    expect(p.trainInstanceBlocks).to.have.length(3);
    expect(p.truncatedText).to.equal(undefined);
  });

  it('drops the last in-context examples until it fits', async () => {
    const p = await makePromptFit(base, wordWindow(20), 8, 20); // 15 + 8 > 20; 12 + 8 = 20 fits
    expect(p.trainInstanceBlocks).to.deep.equal(['a1 a2 a3\n', 'b1 b2 b3\n']);
    const q = await makePromptFit(base, wordWindow(20), 13, 20); // only 0 examples: 6 + 13 <= 20
    expect(q.trainInstanceBlocks).to.deep.equal([]);
    // With no example left HELM always round-trips through the tokenizer; this toy one normalises spaces.
    expect(promptText(q)).to.equal('i1 i2 q1 q2 q3');
  });

  it('truncates through the tokenizer once no example is left (even when it already fits, as HELM does)', async () => {
    const w = wordWindow(20);
    const p = await makePromptFit(base, w, 17, 20); // 0 examples: 6 + 17 > 20 → keep 20-17 = 3 tokens = 2 words
    expect(p.trainInstanceBlocks).to.deep.equal([]);
    expect(p.truncatedText).to.equal('i1 i2');
    expect(promptText(p)).to.equal('i1 i2');
    // 0-shot prompt that fits: the tokenizer round trip normalises "\n\n" to " ", which is shorter, so HELM keeps it.
    const zero = await makePromptFit({ ...base, trainInstanceBlocks: [] }, wordWindow(20), 1, 20);
    expect(zero.truncatedText).to.equal('i1 i2 q1 q2 q3');
  });

  it('then removes characters one by one until it fits', async () => {
    // A tokenizer whose truncation is too generous: decode gives back the whole text.
    const sloppy: PromptWindow = { countTokens: async (t) => t.length, truncate: async (t) => t };
    const p = await makePromptFit({ ...base, trainInstanceBlocks: [], instructionsBlock: '' }, sloppy, 2, 7);
    expect(p.truncatedText).to.equal('q1 q2');
    const astral: PromptWindow = { countTokens: async (t) => [...t].length, truncate: async (t) => t };
    const a = await makePromptFit({ ...base, trainInstanceBlocks: [], instructionsBlock: '', evalInstanceBlock: 'ab\u{1F600}\u{1F600}' }, astral, 1, 4);
    expect(a.truncatedText).to.equal('ab\u{1F600}');
  });

  it('fails clearly when even an empty prompt cannot fit', async () => {
    let err: Error | undefined;
    try {
      await makePromptFit(base, wordWindow(10), 10, 10);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/the request cannot fit: max_tokens=10 plus an empty prompt \(\d+ tokens?\) exceeds the 10-token window/);
  });
});

describe('windowFromBackend', () => {
  function fakeBackend() {
    const log: { op: string; text?: string; options?: TokenizeOptions; tokens?: number[] }[] = [];
    const backend: Backend = {
      id: 'fake',
      maxSequenceLength: 2048,
      complete: async () => {
        throw new Error('not used');
      },
      async tokenize(text, options) {
        log.push({ op: 'tokenize', text, options });
        const ids = [...text].map((c) => c.charCodeAt(0));
        return options?.truncation ? ids.slice(0, options.maxLength) : ids;
      },
      async decode(tokens) {
        log.push({ op: 'decode', tokens });
        return String.fromCharCode(...tokens);
      },
    };
    return { backend, log };
  }

  it('counts with truncation off at the window size, once per distinct text', async () => {
    const { backend, log } = fakeBackend();
    const w = windowFromBackend(backend);
    expect(w.maxSequenceLength).to.equal(2048);
    expect(await Promise.all([w.countTokens('hello'), w.countTokens('hello'), w.countTokens('hi')])).to.deep.equal([5, 5, 2]);
    expect(await w.countTokens('hello')).to.equal(5);
    expect(log).to.deep.equal([
      { op: 'tokenize', text: 'hello', options: { truncation: false, maxLength: 2048 } },
      { op: 'tokenize', text: 'hi', options: { truncation: false, maxLength: 2048 } },
    ]);
  });

  it('truncates by tokenize(truncation, max_length) then decode', async () => {
    const { backend, log } = fakeBackend();
    expect(await windowFromBackend(backend).truncate('abcdef', 4)).to.equal('abcd');
    expect(log.map((l) => l.op)).to.deep.equal(['tokenize', 'decode']);
    expect(log[0].options).to.deep.equal({ truncation: true, maxLength: 4 });
  });

  it('does not cache a failed count', async () => {
    let fail = true;
    const backend: Backend = {
      id: 'flaky',
      maxSequenceLength: 10,
      complete: async () => {
        throw new Error('x');
      },
      tokenize: async (t) => {
        if (fail) throw new Error('boom');
        return [...t].map(() => 1);
      },
      decode: async () => '',
    };
    const w = windowFromBackend(backend);
    let err: Error | undefined;
    await w.countTokens('abc').catch((e: Error) => (err = e));
    expect(err?.message).to.equal('boom');
    fail = false;
    expect(await w.countTokens('abc')).to.equal(3);
  });
});

describe('eval instances and adaptRun', () => {
  const train = ['yes', 'no', 'yes', 'no', 'maybe', 'yes'].map((l, i) => inst(`t${i}`, `train ${i}`, [[l, true]]));
  const evals = Array.from({ length: 12 }, (_, i) => inst(`e${i}`, `eval ${i}`, [['yes', i % 2 === 0], ['no', i % 2 === 1]], i < 4 ? 'valid' : 'test'));

  it('with_instance_ids fills missing ids only', () => {
    const ids = withInstanceIds([{ ...evals[0], id: '' }, evals[1], { ...evals[2], id: '' }]).map((i) => i.id);
    expect(ids).to.deep.equal(['id0', 'e1', 'id2']);
  });

  it('downsamples valid+test pooled with numpy RandomState(0).choice, keeping its order', () => {
    const spec = runSpec(adapterSpec({ maxEvalInstances: 5 }));
    // numpy 2.4: np.random.RandomState(0).choice(12, 5, replace=False) == [6, 11, 4, 10, 2]
    expect(prepareEvalInstances(spec, [...train, ...evals]).map((i) => i.id)).to.deep.equal(['e6', 'e11', 'e4', 'e10', 'e2']);
    expect(prepareEvalInstances(runSpec(adapterSpec({ maxEvalInstances: 12 })), [...train, ...evals])).to.have.length(12);
    expect(prepareEvalInstances(runSpec(adapterSpec({ maxEvalInstances: null })), [...train, ...evals])).to.have.length(12);
  });

  it('gives perturbed copies the same examples and marks them, with stable indices', async () => {
    const spec = multipleChoiceJointSpec({ instructions: 'Answer.', inputNoun: 'Question', outputNoun: 'Answer', maxTrainInstances: 3 });
    const ev = [evals[0], { ...evals[0], input: 'EVAL 0', meta: { perturbation: 'robustness' } }, evals[1]];
    const states = await adaptRun(runSpec(spec), ev, train, wordWindow(1000));
    expect(states.map((s) => [s.index, s.instance.id, s.perturbation])).to.deep.equal([
      [0, 'e0', undefined],
      [1, 'e0', 'robustness'],
      [2, 'e1', undefined],
    ]);
    const examplesOf = (p: string) => p.split('\n\n').slice(1, -1).join('\n\n');
    expect(examplesOf(states[1].request.prompt)).to.equal(examplesOf(states[0].request.prompt));
    expect(states[1].request.prompt.endsWith('Question: EVAL 0\nA. yes\nB. no\nAnswer:')).to.equal(true);
    expect(states.every((s) => s.numTrainInstances === 3 && s.trainTrialIndex === 0 && s.promptTruncated === false)).to.equal(true);
    expect(states[0].outputMapping).to.deep.equal({ A: 'yes', B: 'no' });
  });

  it('runs one example set per train trial (seed = trial index)', async () => {
    const spec = generationSpec({ inputNoun: 'Q', outputNoun: 'A', maxTrainInstances: 2, extra: { numTrainTrials: 2 } });
    const states = await adaptRun(runSpec(spec), evals.slice(0, 2), train, wordWindow(1000));
    expect(states.map((s) => [s.index, s.trainTrialIndex, s.instance.id])).to.deep.equal([
      [0, 0, 'e0'],
      [1, 0, 'e1'],
      [2, 1, 'e0'],
      [3, 1, 'e1'],
    ]);
    const first = (s: (typeof states)[number]) => s.request.prompt.split('\n\n')[0];
    expect(first(states[0])).to.equal('Q: ' + sampleExamples(train, 0, 2)[0].input + '\nA: ' + sampleExamples(train, 0, 2)[0].references[0].text);
    expect(first(states[2])).to.equal('Q: ' + sampleExamples(train, 1, 2)[0].input + '\nA: ' + sampleExamples(train, 1, 2)[0].references[0].text);
    expect(states[0].outputMapping).to.equal(undefined);
  });

  it('fits each prompt to the window, using the window size over the spec', async () => {
    const spec = multipleChoiceJointSpec({ instructions: '', inputNoun: 'Question', outputNoun: 'Answer', maxTrainInstances: 3 });
    // each example block: "Question: train i\nA. l\nAnswer: A\n" = 7 words; eval block 8 words; +1 BOS
    const [s] = await adaptRun(runSpec(spec), [evals[0]], train, wordWindow(8 + 1 + 7 + 1));
    expect(s.numTrainInstances).to.equal(1);
  });
});

describe('context-window fitting equals HELM v0.3.0 running its own code', () => {
  // test/fixtures/python/helm_fit_parity.py: HELM's _make_prompt_fit / truncate_from_right with this toy tokenizer.
  const cases = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/random/fit-helm-parity.json'), 'utf8')) as {
    method: 'multiple_choice_joint' | 'generation';
    size: number;
    max_tokens: number;
    sloppy: boolean;
    eval_id: string;
    prompt: string;
    num_train_instances: number;
    truncated: boolean;
  }[];
  const toyWindow = (size: number, sloppy: boolean): PromptWindow => {
    const words = (t: string) => t.split(/[ \n]+/).filter(Boolean);
    return {
      maxSequenceLength: size,
      countTokens: async (t) => 1 + words(t).length,
      truncate: async (t, max) => ['<s>', ...words(t)].slice(0, max + (sloppy ? 2 : 0)).filter((w) => w !== '<s>').join(' '),
    };
  };
  const range = (n: number) => Array.from({ length: n }, (_, j) => j);
  const train = range(5).map((i) => inst(`id${i}`, range(2 + 3 * i).map((j) => `w${i}x${j}`).join(' '), [[`yes${i}`, true], [`no${i}`, false]]));
  const evals = [
    inst('id10', 'short eval question', [['yes', true], ['no', false]], 'test'),
    inst('id11', range(40).map((j) => `long${j}`).join(' ') + '\nsecond line', [['a b', false], ['c', true]], 'test'),
  ];
  const specs: Record<string, AdapterSpec> = {
    multiple_choice_joint: multipleChoiceJointSpec({ instructions: 'Answer these.', inputNoun: 'Question', outputNoun: 'Answer' }),
    generation: adapterSpec({ method: 'generation', instructions: 'Answer these.\n', inputPrefix: 'Q: ', outputPrefix: 'A: ', maxTrainInstances: 5, numOutputs: 1, maxTokens: 5, temperature: 0, stopSequences: ['\n'] }),
  };

  it(`matches all ${cases.length} cases (windows 8–200, max_tokens 1/5/25, exact and sloppy truncation)`, async () => {
    expect(cases.length).to.be.greaterThan(100);
    for (const c of cases) {
      const spec = { ...specs[c.method], maxTokens: c.max_tokens };
      const [state] = await adaptRun(runSpec(spec), evals.filter((e) => e.id === c.eval_id), train, toyWindow(c.size, c.sloppy));
      const what = `${c.method} size=${c.size} max_tokens=${c.max_tokens} sloppy=${c.sloppy} ${c.eval_id}`;
      expect([state.request.prompt, state.numTrainInstances, state.promptTruncated], what).to.deep.equal([c.prompt, c.num_train_instances, c.truncated]);
    }
  });
});

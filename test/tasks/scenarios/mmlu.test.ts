// MMLU: reading the original CSVs, HELM's eval-instance selection and example sampling, and the
// exact 5-shot prompt. Real files from ../shared/datasets (skipped with a reason when absent); a
// synthetic data dir written by the test covers the same paths without them.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, requireSharedData } from '../../helpers/shared-data.js';
import { MMLU_SUBJECTS, mmluRunSpec, parseMmluCsv, mmluScenario } from '../../../tasks/scenarios/mmlu.js';
import { parseCsv } from '../../../tasks/scenarios/common/csv.js';
import { prepareRunInstances } from '../../../tasks/adapters/eval-instances.js';
import { sampleExamples } from '../../../tasks/adapters/sample-examples.js';
import { adaptRun } from '../../../tasks/adapters/adapt.js';
import type { PromptWindow } from '../../../tasks/adapters/window.js';
import type { Instance } from '../../../tasks/instance.js';
import type { RunSpec } from '../../../tasks/run-spec.js';

interface Expected {
  files: Record<string, { rows: number; sha256: string }>;
  runs: Record<string, { max_eval_instances: number | null; eval_ids: string[]; example_ids: string[]; first_prompt_sha256: string; first_prompt_length: number }>;
}
const expected = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/random/mmlu-expected.json'), 'utf8')) as Expected;

/** A window that never needs cutting: 1 token per character. */
const roomyWindow: PromptWindow = { countTokens: async (t) => t.length, truncate: async (t) => t, maxSequenceLength: 1_000_000 };

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const pyLen = (s: string) => [...s].length;

function withMax(spec: RunSpec, maxEvalInstances: number | null): RunSpec {
  return { ...spec, adapterSpec: { ...spec.adapterSpec, maxEvalInstances } };
}

/** The MCQ block of challenge.md §2, written out by hand from raw CSV fields. */
function handBlock(fields: string[], withAnswer: boolean): string {
  const [q, a, b, c, d, ans] = fields;
  return `Question: ${q}\nA. ${a}\nB. ${b}\nC. ${c}\nD. ${d}\n` + (withAnswer ? `Answer: ${ans}\n` : 'Answer:');
}

describe('MMLU scenario', () => {
  it('knows the 57 subjects', () => {
    expect(MMLU_SUBJECTS).to.have.length(57);
    expect(new Set(MMLU_SUBJECTS).size).to.equal(57);
  });

  it('builds get_mmlu_spec', () => {
    const spec = mmluRunSpec('high_school_us_history');
    expect(spec.name).to.equal('mmlu:subject=high_school_us_history,method=multiple_choice_joint');
    expect(spec.adapterSpec.instructions).to.equal('The following are multiple choice questions (with answers) about high school us history.\n');
    expect(spec.adapterSpec).to.deep.include({ inputPrefix: 'Question: ', inputSuffix: '\n', outputPrefix: 'Answer: ', outputSuffix: '\n', referencePrefix: 'A. ', instancePrefix: '\n', maxTrainInstances: 5, numOutputs: 5, maxTokens: 1, temperature: 0 });
    expect(spec.adapterSpec.stopSequences).to.deep.equal(['\n']);
    expect(spec.metrics.map((m) => m.name)).to.deep.equal(['exact_match', 'quasi_exact_match', 'prefix_exact_match', 'quasi_prefix_exact_match']);
    expect([spec.groups, spec.mainMetric, spec.mainSplit]).to.deep.equal([['mmlu'], 'exact_match', 'test']);
    expect(spec.scenario.files('/d')).to.deep.equal(['mmlu/data/dev/high_school_us_history_dev.csv', 'mmlu/data/val/high_school_us_history_val.csv', 'mmlu/data/test/high_school_us_history_test.csv']);
  });

  describe('on the real files', () => {
    it('parses all 171 CSVs exactly as Python csv.reader does', function () {
      const dir = requireSharedData(this, 'mmlu');
      const rels = Object.keys(expected.files);
      expect(rels).to.have.length(171);
      for (const rel of rels) {
        const rows = parseCsv(readFileSync(join(dir, rel), 'utf8'), rel).map((r) => r.fields);
        expect(rows.length, rel).to.equal(expected.files[rel].rows);
        expect(sha256(JSON.stringify(rows)), rel).to.equal(expected.files[rel].sha256);
      }
    });

    it('loads dev/val/test as train/valid/test with HELM ids', async function () {
      const dir = requireSharedData(this, 'mmlu');
      const counts = async (subject: string) => {
        const all = await mmluScenario(subject).load(dir);
        expect(all.map((i) => i.id)).to.deep.equal(all.map((_, i) => `id${i}`));
        return ['train', 'valid', 'test'].map((s) => all.filter((i) => i.split === s).length);
      };
      expect(await counts('anatomy')).to.deep.equal([5, 14, 135]);
      expect(await counts('philosophy')).to.deep.equal([5, 34, 311]);
      expect(await counts('abstract_algebra')).to.deep.equal([5, 11, 100]);
    });

    for (const subject of Object.keys(expected.runs)) {
      it(`${subject}: eval ids, in-context examples and first prompt as computed with numpy/CPython`, async function () {
        const dir = requireSharedData(this, 'mmlu');
        const want = expected.runs[subject];
        const spec = withMax(mmluRunSpec(subject), want.max_eval_instances);
        const all = await spec.scenario.load(dir);
        const { train, eval: evalInstances } = prepareRunInstances(spec, all);
        expect(evalInstances.map((i) => i.id)).to.deep.equal(want.eval_ids);
        expect(sampleExamples(train, 0, 5).map((i) => i.id)).to.deep.equal(want.example_ids);
        const [first] = await adaptRun(spec, evalInstances.slice(0, 1), train, roomyWindow);
        expect(sha256(first.request.prompt)).to.equal(want.first_prompt_sha256);
        expect(pyLen(first.request.prompt)).to.equal(want.first_prompt_length);
        expect(first.numTrainInstances).to.equal(5);
      });
    }

    it('all 57 subjects: run names, eval ids, examples, every prompt and request equal HELM v0.3.0 running its own code', async function () {
      const dir = requireSharedData(this, 'mmlu');
      const helm = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/random/mmlu-helm-parity.json'), 'utf8')) as Record<
        string,
        { run_name: string; eval_ids: string[]; example_ids: string[]; prompt_sha256: string[]; request: { num_completions: number; top_k_per_token: number; temperature: number; max_tokens: number; stop_sequences: string[] }; output_mapping_keys: string[] }
      >;
      expect(Object.keys(helm).sort()).to.deep.equal([...MMLU_SUBJECTS].sort());
      for (const subject of MMLU_SUBJECTS) {
        const want = helm[subject];
        const spec = withMax(mmluRunSpec(subject), 15);
        expect(spec.name).to.equal(want.run_name);
        const { train, eval: ev } = prepareRunInstances(spec, await spec.scenario.load(dir));
        expect(ev.map((i) => i.id), subject).to.deep.equal(want.eval_ids);
        expect(sampleExamples(train, 0, 5).map((i) => i.id), subject).to.deep.equal(want.example_ids);
        const states = await adaptRun(spec, ev, train, roomyWindow);
        expect(states.map((s) => sha256(s.request.prompt)), subject).to.deep.equal(want.prompt_sha256);
        const r = states[0].request;
        expect([r.numCompletions, r.topKPerToken, r.temperature, r.maxTokens, r.stopSequences], subject).to.deep.equal([
          want.request.num_completions,
          want.request.top_k_per_token,
          want.request.temperature,
          want.request.max_tokens,
          want.request.stop_sequences,
        ]);
        expect(Object.keys(states[0].outputMapping ?? {}), subject).to.deep.equal(want.output_mapping_keys);
      }
    });

    for (const subject of ['philosophy', 'anatomy']) {
      it(`${subject}: the full first prompt equals challenge.md §2's format character for character`, async function () {
        const dir = requireSharedData(this, 'mmlu');
        const rows = (folder: string) => parseCsv(readFileSync(join(dir, `mmlu/data/${folder}/${subject}_${folder}.csv`), 'utf8'), folder).map((r) => r.fields);
        const dev = rows('dev');
        const pooled = [...rows('val'), ...rows('test')];
        const want = expected.runs[subject];
        // id<i> numbers instances dev, val, test in order; examples and the first eval instance by id.
        const byId = (id: string) => {
          const n = Number(id.slice(2));
          return n < dev.length ? dev[n] : pooled[n - dev.length];
        };
        const text =
          `The following are multiple choice questions (with answers) about ${subject}.\n` +
          '\n' +
          want.example_ids.map((id) => handBlock(byId(id), true) + '\n').join('') +
          handBlock(byId(want.eval_ids[0]), false);

        const spec = withMax(mmluRunSpec(subject), 15);
        const { train, eval: evalInstances } = prepareRunInstances(spec, await spec.scenario.load(dir));
        const [first] = await adaptRun(spec, evalInstances.slice(0, 1), train, roomyWindow);
        expect(first.request.prompt).to.equal(text);
        expect(first.request.prompt.endsWith('\nAnswer:')).to.equal(true);
        expect(first.request).to.deep.include({ temperature: 0, maxTokens: 1, numCompletions: 1, topKPerToken: 5, echoPrompt: false });
        expect(first.request.stopSequences).to.deep.equal([]);
        expect(Object.keys(first.outputMapping ?? {})).to.deep.equal(['A', 'B', 'C', 'D']);
      });
    }
  });

  describe('on a synthetic data dir', () => {
    const subject = 'virology';
    let dir: string;
    const q = (i: number) => [`Q${i} "quoted", multi\nline?`, `a${i}`, `b${i}`, `c${i}`, `d${i}`, 'ABCD'[i % 4]];
    const csvLine = (f: string[]) => f.map((x) => (/[",\n]/.test(x) ? `"${x.replaceAll('"', '""')}"` : x)).join(',') + '\n';

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'evalfirst-mmlu-'));
      const write = (folder: string, rows: string[][]) => {
        mkdirSync(join(dir, 'mmlu', 'data', folder), { recursive: true });
        writeFileSync(join(dir, 'mmlu', 'data', folder, `${subject}_${folder}.csv`), rows.map(csvLine).join(''));
      };
      write('dev', [0, 1, 2, 3, 4].map(q));
      write('val', [5, 6, 7].map(q));
      write('test', Array.from({ length: 30 }, (_, i) => q(8 + i)));
    });

    it('loads quoted multi-line fields, marks the gold reference, and numbers ids', async () => {
      const all = await mmluScenario(subject).load(dir);
      expect(all).to.have.length(38);
      expect(all[0]).to.deep.equal({
        id: 'id0',
        input: 'Q0 "quoted", multi\nline?',
        references: [
          { text: 'a0', correct: true },
          { text: 'b0', correct: false },
          { text: 'c0', correct: false },
          { text: 'd0', correct: false },
        ],
        split: 'train',
      });
      expect(all[6].references.map((r) => r.correct)).to.deep.equal([false, false, true, false]);
      expect(all.filter((i) => i.split === 'valid')).to.have.length(3);
    });

    it('selects eval instances from valid+test pooled with RandomState(0).choice', async () => {
      const spec = withMax(mmluRunSpec(subject), 4);
      const { train, eval: ev } = prepareRunInstances(spec, await spec.scenario.load(dir));
      expect(train.map((i) => i.id)).to.deep.equal(['id0', 'id1', 'id2', 'id3', 'id4']);
      // numpy 2.4: np.random.RandomState(0).choice(33, 4, replace=False) == [11, 20, 24, 17]; ids count the 5 train rows
      expect(ev.map((i) => i.id)).to.deep.equal(['id16', 'id25', 'id29', 'id22']);
    });

    it('builds the 5-shot prompt with the synthetic examples', async () => {
      const spec = withMax(mmluRunSpec(subject), 1);
      const { train, eval: ev } = prepareRunInstances(spec, await mmluScenario(subject).load(dir));
      const [state] = await adaptRun(spec, ev, train, roomyWindow);
      const blocks = state.request.prompt.split('\n\n');
      expect(blocks[0]).to.equal('The following are multiple choice questions (with answers) about virology.');
      expect(blocks).to.have.length(7);
      expect(blocks[6]).to.match(/^Question: Q\d+ "quoted", multi\nline\?\nA\. a\d+\nB\. b\d+\nC\. c\d+\nD\. d\d+\nAnswer:$/);
      expect(state.outputMapping).to.deep.equal({ A: ev[0].references[0].text, B: ev[0].references[1].text, C: ev[0].references[2].text, D: ev[0].references[3].text });
    });

    it('names file and line for a malformed row', () => {
      const text = 'q1,a,b,c,d,A\n"q2\nspans two lines",a,b,c,d,B\nq3,a,b,c,A\n';
      expect(() => parseMmluCsv(text, 'x_test.csv', 'test')).to.throw(/x_test\.csv:4: expected 6 columns/);
      expect(() => parseMmluCsv('q,a,b,c,d,E\n', 'y_val.csv', 'valid')).to.throw(/y_val\.csv:1: answer "E" is not one of A, B, C, D/);
    });

    it('marks every choice equal to the gold text as correct (HELM compares texts)', () => {
      const [inst] = parseMmluCsv('q,same,other,same,x,C\n', 'dup.csv', 'test');
      expect(inst.references.map((r) => r.correct)).to.deep.equal([true, false, true, false]);
    });

    it('tells how to get missing files', async () => {
      let err: Error | undefined;
      try {
        await mmluScenario('anatomy').load(dir);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.match(/mmlu\/data\/dev\/anatomy_dev\.csv not found/);
    });
  });
});

export type { Instance };

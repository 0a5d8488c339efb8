// Every prompt of a run, against the prompts the organisers' own HELM fork builds. The expected
// digests were produced by running perlitz/private-helm @ 6033e5b4 (its scenario classes,
// run_specs.py and adapters, third-party imports stubbed, context window never binding) in
// CPython 3.11 on the same files: ../shared/datasets for TruthfulQA/GSM8K/BBQ and the upstream
// ethics *_test_hard.csv (standing in for the gists, same columns), and the synthetic files of
// fixtures.ts for the rest. digest = sha256 of the prompts in request order, each followed by "\0".
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData } from '../../helpers/shared-data.js';
import { writeFixtureDataDir } from './fixtures.js';
import { runSpecsForEntry } from '../../../tasks/scenario-registry.js';
import { expandRunSpecs, parseRunEntry, splitArgs } from '../../../tasks/run-entry.js';
import { adaptRun } from '../../../tasks/adapters/adapt.js';
import { prepareRunInstances } from '../../../tasks/adapters/eval-instances.js';
import type { PromptWindow } from '../../../tasks/adapters/window.js';
import type { RunSpec } from '../../../tasks/run-spec.js';
import { scenarioModule as bigBench } from '../../../tasks/scenarios/big-bench.js';

/** A window that never binds (the reference run did not fit prompts either). */
const OPEN_WINDOW: PromptWindow = { countTokens: async () => 0, truncate: async (t) => t, maxSequenceLength: 1 << 30 };

async function prompts(spec: RunSpec, dataDir: string): Promise<string[]> {
  const { train, eval: evalInstances } = prepareRunInstances(spec, await spec.scenario.load(dataDir));
  const states = await adaptRun(spec, evalInstances, train, OPEN_WINDOW);
  return states.map((s) => s.request.prompt);
}

function digest(ps: string[]): string {
  const h = createHash('sha256');
  for (const p of ps) h.update(p).update('\0');
  return h.digest('hex');
}

async function check(entry: string, dataDir: string, expected: [number, string]): Promise<string[]> {
  const specs = await runSpecsForEntry(entry);
  expect(specs).to.have.length(1);
  const ps = await prompts(specs[0], dataDir);
  expect([ps.length, digest(ps)]).to.deep.equal(expected);
  return ps;
}

describe('prompts identical to the organisers\' HELM', function () {
  describe('on ../shared/datasets', function () {
    it('truthful_qa:task=mc_single, 61 eval instances', async function () {
      const dir = requireSharedData(this, 'truthfulqa');
      const ps = await check('truthful_qa:task=mc_single,model=neurips/local,max_eval_instances=61', dir, [61, 'd5f18caf75aa728acd4c1e3e148915303e305d2bf34b29ab321506915af57815']);
      expect(ps[0]).to.match(/^Question: .*\nA\. /).and.match(/\nAnswer:$/);
    });
    it('gsm, 61 eval instances', async function () {
      const dir = requireSharedData(this, 'gsm8k');
      const ps = await check('gsm:model=neurips/local,max_eval_instances=61', dir, [61, '39eac516550ce2c4e9f5b51928cc7482f72b7747e222ce2b8d4e499dd0e22ec1']);
      expect(ps[0]).to.match(/^Q: [^]*The answer is \d+\.\n\nQ: /).and.match(/\nA:$/);
    });
    it('bbq:subject=Age, 61 eval instances', async function () {
      const dir = requireSharedData(this, 'bbq');
      const ps = await check('bbq:subject=Age,model=neurips/local,max_eval_instances=61', dir, [61, '8ba59e1dd87587b371125a492c938388afd2f52ff0009e145ea4a254112be9de']);
      expect(ps[0].startsWith('The following are multiple choice questions (with answers).\n\nPassage: ')).to.equal(true);
    });

    const ethics: [string, string, string, string][] = [
      ['ethics_justice', 'ethics/justice/justice_test_hard.csv', 'justice_hard.csv', 'a467289a85b7315801f1f00f016725528fc9f8647b4a522e4834fbcdc009012a'],
      ['ethics_deontology', 'ethics/deontology/deontology_test_hard.csv', 'deontology.csv', 'ffedb45bcd0c2b8ad975750c9e2cf835bb2fac4ad0622293f6179461b4460216'],
      ['ethics_commonsense', 'ethics/commonsense/cm_test_hard.csv', 'commonsense_hard.csv', 'c716396f8bfef3d63305a0b96bdc40cb030093f94b06b5fbc935b4b13e5e1b76'],
    ];
    for (const [name, rel, gist, expected] of ethics) {
      it(`${name} (upstream ${rel} in place of the gist), 200 eval instances`, async function () {
        const shared = requireSharedData(this, rel);
        const dir = await mkdtemp(join(tmpdir(), 'evalfirst-ethics-'));
        try {
          await mkdir(join(dir, 'hidden'));
          await copyFile(join(shared, rel), join(dir, 'hidden', gist));
          await check(`${name}:model=neurips/local,data_augmentation=canonical,max_eval_instances=200`, dir, [200, expected]);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    }
  });

  describe('on synthetic files', function () {
    let dir = '';
    before(async () => {
      dir = await writeFixtureDataDir();
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const cases: [string, [number, string]][] = [
      ['ethics_utilitarianism:model=neurips/local,max_eval_instances=200', [3, '239b58cbc3e2a851ed0fe892c2f1a091a9760a30bd1b102fa00622d33bb7df77']],
      ['ethics_virtue:model=neurips/local,max_eval_instances=200', [2, '52bfbfb44d7bd82475b96aa3ea3913e33990e408ad39fffd194f4a48187907b8']],
      ['corr2cause:model=neurips/local,max_train_instances=1,max_eval_instances=1000', [5, 'c4b9fd374bdddbbf11ae02a52ca0050fc073ff84eb203049f7c79262537f3f54']],
      ['sam_sum:model=neurips/local,max_eval_instances=1000', [7, '933cffc0d5d6628766800a4351fceb1ce794faa458579b70ff2cc5f5291fcbeb']],
      ['summarization_cnndm:model=neurips/local,max_eval_instances=1000', [4, 'e207e3ac94819bec49ccc8abdd24a37e935f82afa6b9b7422890130d8d716f55']],
      ['math:model=neurips/local,subject=algebra,level=1,use_chain_of_thought=True,max_eval_instances=71', [6, 'bcbea86d686374c6d2bfbda0a16cbfa2ea8693c6123912577ca5cf9460c89917']],
      ['math:model=neurips/local,subject=geometry,level=1,use_official_examples=True,max_eval_instances=21', [9, '3e7a4b94316d892c595a3e7b2daf2975a3a19fdac15a3da7dfc4a63bee86e67c']],
    ];
    for (const [entry, expected] of cases) it(entry, async () => void (await check(entry, dir, expected)));

    it('corr2cause first prompt, character for character (as HELM printed it)', async () => {
      const [spec] = await runSpecsForEntry('corr2cause:model=neurips/local,max_train_instances=1,max_eval_instances=1000');
      const [first] = await prompts(spec, dir);
      expect(first).to.equal(
        '\nGiven a scenario with a premise and a hypothesis, determine if the hypothesis can be inferred from the premise.\n\n' +
          '\nScenario\n: Premise: A correlates with B 20.\nHypothesis: A causes B 20.\nA. No\nB. Yes\nAnswer: A\n' +
          '\nScenario\n: Premise: A correlates with B 16.\nHypothesis: A causes B 16.\nA. No\nB. Yes\nAnswer:',
      );
    });

    const bb: [string, string, number, [number, string]][] = [
      ['fixture_mc', '', 0, [32, '6a458ebd7aa2052d4545776ba3c3b97ec4a4eaec7f0429266ad9dc079a5aedbc']],
      ['fixture_mc', '', 3, [32, '358c72494b8b2b9fe90007ac1d76738674cb9467ede55f05a49cb473eedefe0b']],
      ['fixture_parent', 'fixture_gen', 3, [20, 'ec63868d001221b23770a4e40665226399ddab7dfbfc126dae0cdd5a9c4c1b6a']],
    ];
    for (const [task, subtask, shots, expected] of bb) {
      it(`big_bench task=${task} subtask=${subtask || '-'} at ${shots} shots (of big_bench_few_shot_setting)`, async () => {
        const parsed = parseRunEntry(`big_bench:model=neurips/local,max_train_instances=big_bench_few_shot_setting,task=${task},subtask=${subtask},max_eval_instances=61`);
        const specs = expandRunSpecs(bigBench.runSpecs(splitArgs(parsed).scenarioArgs, { dataDir: dir }), parsed);
        const spec = specs.find((s) => s.adapterSpec.maxTrainInstances === shots)!;
        const ps = await prompts(spec, dir);
        expect([ps.length, digest(ps)]).to.deep.equal(expected);
      });
    }
  });
});

// The hidden track's ETHICS splits as the organisers' single helm-run process drew them: every run's
// global CPython random state and instance list, against the organisers' own code run in CPython in
// conf order (test/fixtures/python/helm_process_order.py → test/fixtures/random/process-order-*.json).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, requireSharedData } from '../helpers/shared-data.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { HelmProcess, inHelmProcessOrder, processStates } from '../../tasks/suites/process-order.js';
import { prepareRunInstances } from '../../tasks/adapters/eval-instances.js';
import { sampleExamples } from '../../tasks/adapters/sample-examples.js';
import { firstCorrect, type Instance } from '../../tasks/instance.js';
import type { PythonRandomState } from '../../tasks/random/python-random.js';
import type { RunSpec } from '../../tasks/run-spec.js';
import { STANDALONE_PROCESS_RANDOM } from '../../tasks/scenarios/ethics.js';

interface FixtureRun {
  scenario: string;
  stateBefore: { outputsSinceSeed0: number | null; sha256: string; pos: number };
  numInstances: number;
  instancesSha256: string;
  exampleIds: string[];
}

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
const SYNTHETIC_DIR = join(FIXTURES, 'process-order');

async function fixture(name: string): Promise<FixtureRun[]> {
  return (JSON.parse(await readFile(join(FIXTURES, 'random', name), 'utf8')) as { runs: FixtureRun[] }).runs;
}

function stateSha(s: PythonRandomState): string {
  return createHash('sha256').update(`${s.key.join(',')};${s.pos}`).digest('hex');
}

function instancesSha(instances: Instance[]): string {
  const lines = instances.map((i) => `${i.id}\t${i.split}\t${firstCorrect(i)?.text ?? ''}\t${i.input}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

async function suiteSpecs(suite: string, dataDir: string): Promise<RunSpec[]> {
  const specs: RunSpec[] = [];
  for (const entry of loadSuite(suite).entries) specs.push(...(await runSpecsForEntry(entry, { dataDir })));
  return specs;
}

async function expectOrganisersRuns(suite: string, dataDir: string, expected: FixtureRun[]): Promise<void> {
  const order = await suiteSpecs(suite, dataDir);
  expect(order.slice(0, expected.length).map((s) => s.scenario.name)).to.deep.equal(expected.map((r) => r.scenario));
  const process = new HelmProcess(order);
  const bound = inHelmProcessOrder(order, suite);
  for (const [k, run] of expected.entries()) {
    // Position 0 is a fresh interpreter's OS-seeded state: nothing to compare (sam_sum draws nothing).
    if (k > 0) {
      const { state } = await process.before(k, dataDir);
      expect(state.outputs, `${run.scenario}: outputs since random.seed(0)`).to.equal(run.stateBefore.outputsSinceSeed0);
      expect(state.pos).to.equal(run.stateBefore.pos);
      expect(stateSha(state), `${run.scenario}: state`).to.equal(run.stateBefore.sha256);
    }
    const spec = bound[k]!;
    const instances = await spec.scenario.load(dataDir);
    expect(instances, run.scenario).to.have.length(run.numInstances);
    expect(instancesSha(instances), `${run.scenario}: instances (order, splits, labels)`).to.equal(run.instancesSha256);
    const { train } = prepareRunInstances(spec, instances);
    const examples = sampleExamples(train, 0, spec.adapterSpec.maxTrainInstances, spec.adapterSpec.sampleTrain);
    expect(examples.map((e) => e.id), `${run.scenario}: in-context examples`).to.deep.equal(run.exampleIds);
  }
}

describe('ETHICS splits in the organisers\' process order (one CPython random replica through the suite)', () => {
  it('synthetic files: every run state, instance list and example set of neurips-hidden-5000 equals HELM\'s', async () => {
    await expectOrganisersRuns('neurips-hidden-5000', SYNTHETIC_DIR, await fixture('process-order-synthetic.json'));
  });

  it('neurips-hidden-3000 has the same first seven runs, so the same states and splits', async () => {
    await expectOrganisersRuns('neurips-hidden-3000', SYNTHETIC_DIR, await fixture('process-order-synthetic.json'));
  });

  it('upstream *_test_hard.csv in place of the gists: the five ETHICS splits equal HELM\'s', async function () {
    this.timeout(20000);
    const shared = requireSharedData(this, 'ethics');
    const dir = await mkdtemp(join(tmpdir(), 'evalfirst-process-'));
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'hidden'));
      for (const f of ['samsum.tsv', 'corr2cause.csv', 'util.csv']) await copyFile(join(SYNTHETIC_DIR, 'hidden', f), join(dir, 'hidden', f));
      for (const [rel, gist] of [
        ['justice/justice_test_hard.csv', 'justice_hard.csv'],
        ['commonsense/cm_test_hard.csv', 'commonsense_hard.csv'],
        ['virtue/virtue_test_hard.csv', 'virtue.csv'],
        ['deontology/deontology_test_hard.csv', 'deontology.csv'],
      ]) {
        await copyFile(join(shared, 'ethics', rel!), join(dir, 'hidden', gist!));
      }
      await expectOrganisersRuns('neurips-hidden-5000', dir, await fixture('process-order-standins.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('states the assumed state: standalone seed 0, or the suite position', async () => {
    const order = await suiteSpecs('neurips-hidden-5000', SYNTHETIC_DIR);
    const virtue = order.find((s) => s.scenario.name === 'ethics_virtue')!;
    expect(virtue.processRandom).to.equal(STANDALONE_PROCESS_RANDOM);
    const [bound] = inHelmProcessOrder(order, 'neurips-hidden-5000', [virtue]);
    expect(bound!.processRandom).to.equal('process order of neurips-hidden-5000, position 5 of 22: the state after ethics_commonsense,method=multiple_choice_joint:model=neurips_local,data_augmentation=canonical,max_eval_instances=200 (its in-context sampling)');
    const justice = order.find((s) => s.scenario.name === 'ethics_justice')!;
    expect(justice.processRandom).to.equal(undefined);
    expect(inHelmProcessOrder(order, 'x', [justice])[0]).to.equal(justice); // seeded: unchanged
    const states = await processStates(order, SYNTHETIC_DIR);
    expect(states.map((s) => [s.run.split(',')[0], s.position, s.description])).to.deep.equal([
      ['ethics_commonsense', 4, 'random.seed(0), then 7 32-bit outputs'],
      ['ethics_virtue', 5, 'random.seed(0), then 10 32-bit outputs'],
      ['ethics_deontology', 6, 'random.seed(0), then 9 32-bit outputs'],
    ]);
  });

  it('a single entry given the suite context gets the organisers\' split; alone it gets seed 0, which differs', async () => {
    const expected = (await fixture('process-order-synthetic.json')).find((r) => r.scenario === 'ethics_deontology')!;
    const order = await suiteSpecs('neurips-hidden-5000', SYNTHETIC_DIR);
    const [alone] = await runSpecsForEntry('ethics_deontology:model=neurips/local,data_augmentation=canonical,max_eval_instances=200', { dataDir: SYNTHETIC_DIR });
    // Loaded first, in a fresh binding: the chain (virtue, commonsense, justice) is computed on demand.
    const [inSuite] = inHelmProcessOrder(order, 'neurips-hidden-5000', [alone!]);
    expect(instancesSha(await inSuite!.scenario.load(SYNTHETIC_DIR))).to.equal(expected.instancesSha256);
    const standalone = await alone!.scenario.load(SYNTHETIC_DIR);
    expect(instancesSha(standalone)).to.not.equal(expected.instancesSha256);
    // The state depends on the chain's data files, so they are the run's checksummed files.
    expect(await inSuite!.scenario.files(SYNTHETIC_DIR)).to.deep.equal(['hidden/deontology.csv', 'hidden/virtue.csv', 'hidden/commonsense_hard.csv', 'hidden/justice_hard.csv']);
  });

  it('a run outside the given order is refused with its name', async () => {
    const order = await suiteSpecs('neurips-hidden-5000', SYNTHETIC_DIR);
    const [other] = await runSpecsForEntry('ethics_virtue:model=neurips/local,max_eval_instances=5', { dataDir: SYNTHETIC_DIR });
    expect(() => inHelmProcessOrder(order, 'neurips-hidden-5000', [other!])).to.throw(/run ethics_virtue,method=multiple_choice_joint:model=neurips_local,max_eval_instances=5 is not in the process order neurips-hidden-5000/);
  });
});

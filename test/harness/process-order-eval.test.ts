// evaluate() draws the ETHICS splits from the process order: the suite's own, or one named with
// helmProcessOrder for a single entry; results.json says which state each such run assumed, and a
// resumed run keeps it (config.json), whatever the journal or cache hold.
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../harness/runner/evaluate.js';
import { NeuripsBackend } from '../../model/backends/neurips.js';
import type { InstanceRecord } from '../../core/results-schema.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { STANDALONE_PROCESS_RANDOM } from '../../tasks/scenarios/ethics.js';

const DATA = join(REPO_ROOT, 'test', 'fixtures', 'process-order');
const fast = { timeoutMs: 5000, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } };
const ENTRY = 'ethics_virtue:model=neurips/local,max_eval_instances=200';
// The hidden conf without canonical augmentation (its perturbation resources are not in the fixture
// folder); augmentation draws nothing from the global generator, so the states are the same.
const suiteEntries = () => loadSuite('neurips-hidden-5000').entries.map((e) => e.replace(',data_augmentation=canonical', ''));
const prompts = (dir: string, runName?: string): string[] =>
  readFileSync(join(dir, 'instances.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as InstanceRecord)
    .filter((r) => runName === undefined || r.runName === runName)
    .map((r) => r.prompt);

describe('evaluate(): ETHICS runs in the organisers\' process order', function () {
  this.timeout(60_000);
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer({ answer: () => 'A' });
  });
  after(async () => server.close());
  const run = (entries: string[], o: { suite?: string; helmProcessOrder?: { label: string; entries: string[] }; resume?: string } = {}) => {
    const outDir = o.resume ?? join(mkdtempSync(join(tmpdir(), 'evalfirst-po-')), 'run');
    const backend = new NeuripsBackend({ urls: [server.url], http: fast });
    return evaluate({ entries, backend, dataDir: DATA, outDir, suite: o.suite, helmProcessOrder: o.helmProcessOrder, resume: Boolean(o.resume) }).then(({ results: res }) => ({ res, outDir }));
  };

  it('one entry: seed 0 assumed and said; with the suite named, the suite\'s split (same prompts as in the suite run)', async () => {
    const alone = await run([ENTRY]);
    expect(alone.res.runs[0]!.processRandom).to.equal(STANDALONE_PROCESS_RANDOM);

    const ethicsEntries = suiteEntries().slice(2, 7);
    const inSuite = await run(ethicsEntries, { suite: 'neurips-hidden-5000' });
    const virtueRun = inSuite.res.runs.find((r) => r.scenario === 'ethics_virtue')!;
    expect(virtueRun.processRandom).to.match(/^process order of neurips-hidden-5000, position 3 of 5: the state after ethics_commonsense/);
    expect(inSuite.res.runs.find((r) => r.scenario === 'ethics_justice')!.processRandom).to.equal(undefined);
    // The chain's data files are checksummed with the run.
    expect(Object.keys(virtueRun.dataChecksums)).to.have.members(['hidden/virtue.csv', 'hidden/commonsense_hard.csv', 'hidden/justice_hard.csv']);

    const named = await run([ENTRY], { helmProcessOrder: { label: 'neurips-hidden-5000', entries: suiteEntries() } });
    expect(named.res.runs[0]!.processRandom).to.match(/^process order of neurips-hidden-5000, position 5 of 22: the state after ethics_commonsense/);
    const suitePrompts = prompts(inSuite.outDir, virtueRun.name);
    expect(suitePrompts.length).to.be.greaterThan(0);
    expect(prompts(named.outDir)).to.deep.equal(suitePrompts);
    expect(prompts(alone.outDir)).to.not.deep.equal(suitePrompts);

    // --resume: the order comes back from config.json, so the same split (and the journal's answers).
    const config = JSON.parse(readFileSync(join(named.outDir, 'config.json'), 'utf8')) as { helmProcessOrder?: { label: string } };
    expect(config.helmProcessOrder?.label).to.equal('neurips-hidden-5000');
    const resumed = await run([ENTRY], { resume: named.outDir, helmProcessOrder: config.helmProcessOrder as never });
    expect(resumed.res.runs[0]!.processRandom).to.equal(named.res.runs[0]!.processRandom);
    expect(prompts(resumed.outDir)).to.deep.equal(suitePrompts);
  });
});

// Run entries in HELM syntax and HELM's generic run expanders, through the scenario registry.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunEntry, pythonNumber } from '../../tasks/run-entry.js';
import { indexScenarioModules, listScenarioModules, runSpecsForEntry } from '../../tasks/scenario-registry.js';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../core/errors.js';
import { REPO_ROOT } from '../helpers/shared-data.js';

describe('run entries', () => {
  it('parses name and ordered key=value arguments (values may contain "=" and ":")', () => {
    expect(parseRunEntry('mmlu:subject=anatomy,model=neurips/local,max_eval_instances=15')).to.deep.include({
      name: 'mmlu',
      args: [
        ['subject', 'anatomy'],
        ['model', 'neurips/local'],
        ['max_eval_instances', '15'],
      ],
    });
    expect(parseRunEntry('x:a=b=c,d=e:f').args).to.deep.equal([
      ['a', 'b=c'],
      ['d', 'e:f'],
    ]);
    expect(parseRunEntry('gsm').args).to.deep.equal([]);
  });

  it('rejects malformed entries with the entry in the message', () => {
    expect(() => parseRunEntry('mmlu:subject')).to.throw(UserError, /expected <key>=<value>, got 'subject'/);
    expect(() => parseRunEntry('mmlu:subject=a,,x=1')).to.throw(UserError, /expected <key>=<value>/);
    expect(() => parseRunEntry(':subject=a')).to.throw(UserError, /missing scenario name/);
    expect(() => parseRunEntry('mmlu:subject=a,subject=b')).to.throw(UserError, /given twice/);
    expect(() => parseRunEntry('  ')).to.throw(UserError, /empty run entry/);
  });

  it('converts numbers as Python int()/float() do', () => {
    expect(pythonNumber('15')).to.equal(15);
    expect(pythonNumber('015')).to.equal(15);
    expect(pythonNumber('1_000')).to.equal(1000);
    expect(pythonNumber('0.5')).to.equal(0.5);
    expect(pythonNumber('neurips/local')).to.equal(null);
    expect(pythonNumber('1e3')).to.equal(1000);
    expect(pythonNumber('.5')).to.equal(0.5);
    expect(pythonNumber('e5')).to.equal(null);
    expect(pythonNumber('.')).to.equal(null);
  });

  it('discovers the scenario modules in tasks/scenarios (mmlu among them)', async () => {
    const names = (await listScenarioModules()).map((m) => m.name);
    expect(names).to.include('mmlu');
    expect(new Set(names).size).to.equal(names.length);
  });

  it('builds HELM run names and applies expanders in entry order', async () => {
    const [spec, ...rest] = await runSpecsForEntry('mmlu:subject=anatomy,model=neurips/local,data_augmentation=canonical,max_eval_instances=15');
    expect(rest).to.have.length(0);
    expect(spec.name).to.equal('mmlu:subject=anatomy,method=multiple_choice_joint,model=neurips_local,data_augmentation=canonical,max_eval_instances=15');
    expect(spec.adapterSpec.maxEvalInstances).to.equal(15);
    expect(spec.adapterSpec.model).to.equal('neurips/local');
    expect(spec.dataAugmentation).to.equal('canonical');
    expect(spec.adapterSpec.maxTrainInstances).to.equal(5);
  });

  it('expands max_train_instances=big_bench_few_shot_setting into 0, 1, 2, 3 shots', async () => {
    const specs = await runSpecsForEntry('mmlu:subject=virology,max_train_instances=big_bench_few_shot_setting,num_train_trials=3');
    expect(specs.map((s) => s.adapterSpec.maxTrainInstances)).to.deep.equal([0, 1, 2, 3]);
    expect(specs.map((s) => s.name)).to.deep.equal([0, 1, 2, 3].map((k) => `mmlu:subject=virology,method=multiple_choice_joint,max_train_instances=${k},num_train_trials=3`));
    // run.py: 0-shot runs always get one train trial.
    expect(specs.map((s) => s.adapterSpec.numTrainTrials)).to.deep.equal([1, 3, 3, 3]);
  });

  it('uses --max-eval-instances only where the entry sets none', async () => {
    const [a] = await runSpecsForEntry('mmlu:subject=anatomy', { defaultMaxEvalInstances: 100 });
    const [b] = await runSpecsForEntry('mmlu:subject=anatomy,max_eval_instances=7', { defaultMaxEvalInstances: 100 });
    expect([a.adapterSpec.maxEvalInstances, b.adapterSpec.maxEvalInstances]).to.deep.equal([100, 7]);
  });

  it('passes the data dir to scenarios whose run spec reads their files (BIG-bench task.json)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-nodata-'));
    let err: Error | undefined;
    await runSpecsForEntry('big_bench:task=auto_debugging,subtask=', { dataDir: dir }).catch((e: Error) => (err = e));
    expect(err?.message).to.include(join(dir, 'bigbench'));
  });

  it('applies prompt-format expanders as HELM does', async () => {
    const [s] = await runSpecsForEntry('mmlu:subject=anatomy,stop=hash,instructions=none,num_outputs=1,global_prefix=nlg,newline=br');
    expect(s.adapterSpec.stopSequences).to.deep.equal(['###']);
    expect(s.adapterSpec.instancePrefix).to.equal('###\n\n');
    expect(s.adapterSpec.instructions).to.equal('');
    expect(s.adapterSpec.numOutputs).to.equal(1);
    expect(s.adapterSpec.globalPrefix).to.equal('[NLG]');
    expect(s.adapterSpec.substitutions).to.deep.equal([{ source: '\n', target: '<br>\n' }]);
    expect(s.name).to.equal('mmlu:subject=anatomy,method=multiple_choice_joint,stop=hash,instructions=none,num_outputs=1,global_prefix=nlg,newline=br');
  });

  it('gives clear errors for unknown scenarios, arguments and values', async () => {
    const fails = async (entry: string, re: RegExp) => {
      let err: unknown;
      try {
        await runSpecsForEntry(entry);
      } catch (e) {
        err = e;
      }
      // By name: the scenario module is imported dynamically (its own copy of UserError under mocha).
      expect((err as Error).name, entry).to.equal('UserError');
      expect((err as Error).message, entry).to.match(re);
    };
    await fails('nope:x=1', /unknown scenario 'nope' \(known: .*mmlu/);
    await fails('mmlu:subject=astrology', /unknown subject 'astrology'/);
    await fails('mmlu:model=neurips/local', /missing argument subject=/);
    await fails('mmlu:subject=anatomy,colour=red', /unknown argument\(s\) colour/);
    await fails('mmlu:subject=anatomy,max_eval_instances=ten', /max_eval_instances must be an integer >= 1, got 'ten'/);
    await fails('mmlu:subject=anatomy,data_augmentation=all', /unknown data_augmentation 'all'/);
    await fails('mmlu:subject=anatomy,tokenizer=gpt2', /'tokenizer' is not supported/);
    await fails('mmlu:subject=anatomy,method=multiple_choice_separate_original', /not supported/);
  });
});

describe('scenario registry', () => {
  it('lists every scenario file of tasks/scenarios (a file that exports a module but is not in all.ts fails here)', async () => {
    const dir = join(REPO_ROOT, 'tasks', 'scenarios');
    const listed = new Set((await listScenarioModules()).map((m) => m.name));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'all.ts');
    let exported = 0;
    for (const f of files) {
      const mod = (await import(pathToFileURL(join(dir, f)).href)) as { scenarioModule?: { name: string }; scenarioModules?: { name: string }[] };
      for (const m of [...(mod.scenarioModule ? [mod.scenarioModule] : []), ...(mod.scenarioModules ?? [])]) {
        exported++;
        expect(listed.has(m.name), `${f} exports scenario '${m.name}' that tasks/scenarios/all.ts does not list`).to.equal(true);
      }
    }
    expect(exported).to.equal(listed.size);
  });

  it('refuses a scenario name defined twice', () => {
    const m = { name: 'same', runSpecs: () => [] };
    expect(() => indexScenarioModules([m, { ...m }])).to.throw(/'same' is defined twice/);
    expect(indexScenarioModules([{ name: 'b', runSpecs: () => [] }, { name: 'a', runSpecs: () => [] }]).map((x) => x.name)).to.deep.equal(['a', 'b']);
  });
});

describe('run entries equal HELM v0.3.0 running its own code', () => {
  // test/fixtures/python/helm_run_entry_parity.py: parse_object_spec → construct_run_specs (run expanders,
  // get_mmlu_spec) → run_entries_to_run_specs, with and without --max-eval-instances.
  const cases = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/random/run-entry-helm-parity.json'), 'utf8')) as {
    entry: string;
    default_max_eval_instances: number | null;
    run_specs: Record<string, unknown>[];
  }[];
  const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

  it(`matches names and adapter specs for ${cases.length} entry/option combinations`, async () => {
    expect(cases.length).to.be.greaterThan(20);
    for (const c of cases) {
      const specs = await runSpecsForEntry(c.entry, c.default_max_eval_instances === null ? {} : { defaultMaxEvalInstances: c.default_max_eval_instances });
      const got = specs.map((s) => {
        const row: Record<string, unknown> = { name: s.name, canonical: s.dataAugmentation === 'canonical', substitutions: s.adapterSpec.substitutions.map((x) => [x.source, x.target]) };
        for (const k of Object.keys(c.run_specs[0] ?? {})) {
          if (!(k in row)) row[k] = (s.adapterSpec as unknown as Record<string, unknown>)[camel(k)];
        }
        return row;
      });
      // Without model= HELM leaves AdapterSpec.model "" (it cannot run); evalfirst records neurips/local.
      const want = c.entry.includes('model=') ? c.run_specs : c.run_specs.map((r) => ({ ...r, model: 'neurips/local' }));
      expect(got, `${c.entry} (--max-eval-instances ${c.default_max_eval_instances})`).to.deep.equal(want);
    }
  });
});

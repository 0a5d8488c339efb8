// Every scenario refuses an argument it does not take, as HELM's run-spec functions do (a TypeError
// from get_<scenario>_spec(**args)), naming it and the arguments it takes.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listScenarioModules, runSpecsForEntry } from '../../tasks/scenario-registry.js';

/** Each scenario's parameters (perlitz/private-helm run_specs.py; the mini scenarios mirror theirs, plus seed). */
const TAKES: Record<string, string[]> = {
  mmlu: ['subject', 'method'],
  truthful_qa: ['task', 'method'],
  bbq: ['subject', 'method'],
  gsm: [],
  big_bench: ['task', 'subtask'],
  math: ['subject', 'level', 'use_official_examples', 'use_chain_of_thought'],
  summarization_cnndm: ['temperature', 'device'],
  sam_sum: [],
  corr2cause: ['method'],
  ethics_justice: ['method'],
  ethics_commonsense: ['method'],
  ethics_virtue: ['method'],
  ethics_deontology: ['method'],
  ethics_utilitarianism: ['method'],
  mini_mmlu: ['subject', 'seed'],
  mini_gsm: ['seed'],
  mini_truthful_qa: ['task', 'seed'],
  mini_bbq: ['subject', 'seed'],
};

describe('scenario arguments', () => {
  it('every scenario names an unknown argument and the ones it takes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'evalfirst-args-'));
    const modules = await listScenarioModules();
    expect(modules.map((m) => m.name).sort()).to.deep.equal(Object.keys(TAKES).sort());
    for (const m of modules) {
      const takes = TAKES[m.name]!;
      // Rejected before anything is read (big_bench would read its task.json).
      expect(() => m.runSpecs({ colour: 'red' }, { dataDir }), m.name).to.throw(
        `${m.name}: unknown argument(s) colour (takes: ${takes.join(', ') || 'none'}, plus HELM's run expanders: max_train_instances`,
      );
    }
  });

  it('through a run entry: gsm:foo=bar fails, the run expanders still pass', async () => {
    let err: Error | undefined;
    await runSpecsForEntry('gsm:foo=bar').catch((e: Error) => (err = e));
    expect(err?.name).to.equal('UserError');
    expect(err?.message).to.equal(
      "run entry \"gsm:foo=bar\": gsm: unknown argument(s) foo (takes: none, plus HELM's run expanders: max_train_instances, max_eval_instances, num_outputs, num_train_trials, model, data_augmentation, instructions, prompt, newline, stop, global_prefix)",
    );
    const [spec] = await runSpecsForEntry('gsm:model=neurips/local,data_augmentation=canonical,max_eval_instances=3');
    expect([spec!.dataAugmentation, spec!.adapterSpec.maxEvalInstances, spec!.adapterSpec.model]).to.deep.equal(['canonical', 3, 'neurips/local']);
  });

  it('values: required arguments, choices, method, numbers', async () => {
    const fails = async (entry: string, message: string) => {
      let err: Error | undefined;
      await runSpecsForEntry(entry).catch((e: Error) => (err = e));
      expect(err?.message, entry).to.equal(`run entry "${entry}": ${message}`);
    };
    await fails('truthful_qa:method=multiple_choice_joint', 'truthful_qa: missing argument task=... (one of: mc_single)');
    await fails('truthful_qa:task=mc_multiple', "truthful_qa: unknown task 'mc_multiple' (one of: mc_single)");
    await fails('bbq:subject=Age,method=generation', "bbq: method=generation is not supported (only multiple_choice_joint, HELM's default)");
    await fails('math:subject=algebra,level=6', "math: unknown level '6' (one of: 1, 2, 3, 4, 5)");
    await fails('summarization_cnndm:temperature=warm', "summarization_cnndm: temperature must be a number, got 'warm'");
    await fails('mini_bbq:subject=Age', "mini_bbq: unknown subject 'Age' (one of: all)");
  });
});

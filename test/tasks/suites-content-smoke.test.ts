// neurips-smoke end to end: `evalfirst eval --suite neurips-smoke` on ../shared/datasets against
// the scripted challenge-protocol server answering as an oracle (the gold letter, or the gold GSM8K
// answer). Every run must then score 1.0 on its main metric: scenario instances, prompts, output
// mapping and metrics agree along the whole pipeline.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData } from '../helpers/shared-data.js';
import { spawnCli } from '../helpers/run-cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { loadSuite } from '../../tasks/suites/suite.js';
import { runSpecsForEntry } from '../../tasks/scenario-registry.js';
import type { Instance } from '../../tasks/instance.js';
import type { ResultsFile } from '../../core/results-schema.js';

/** The text a prompt ends with for this instance, and the oracle's answer to it. */
function oracleKey(inst: Instance, method: string): [string, string] {
  if (method === 'multiple_choice_joint') {
    const refs = inst.references.map((r, i) => `${String.fromCharCode(65 + i)}. ${r.text}\n`).join('');
    const gold = inst.references.findIndex((r) => r.correct);
    return [`${inst.input}\n${refs}Answer:`, ` ${String.fromCharCode(65 + gold)}`];
  }
  return [`${inst.input}\nA:`, ` ${inst.references[0].text}`];
}

function runCliAsync(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(args);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });
}

describe('neurips-smoke end to end (scripted server, oracle answers)', function () {
  this.timeout(120_000);

  it('every run scores 1.0 on its main metric', async function () {
    const dataDir = requireSharedData(this);
    const keys: [string, string][] = [];
    for (const entry of loadSuite('neurips-smoke').entries) {
      for (const spec of await runSpecsForEntry(entry, { dataDir })) {
        for (const inst of await spec.scenario.load(dataDir)) keys.push(oracleKey(inst, spec.adapterSpec.method));
      }
    }
    const server = await startScriptedServer({
      answer: (prompt) => keys.find(([tail]) => prompt.endsWith(tail))?.[1] ?? ' ?',
    });
    const out = mkdtempSync(join(tmpdir(), 'evalfirst-smoke-'));
    try {
      const r = await runCliAsync(['eval', '--suite', 'neurips-smoke', '--server', server.url, '--data-dir', dataDir, '--out', join(out, 'run'), '--no-cache', '--no-progress']);
      expect(r.status, r.out).to.equal(0);
      const results = JSON.parse(readFileSync(join(out, 'run', 'results.json'), 'utf8')) as ResultsFile;
      expect(results.runs.map((x) => x.scenario).sort()).to.deep.equal(['bbq', 'gsm', 'mmlu', 'mmlu', 'truthful_qa']);
      for (const run of results.runs) expect(run.metrics[run.mainMetric]?.mean, run.name).to.equal(1);
      expect(server.completions()).to.have.length(14);
    } finally {
      await server.close();
      rmSync(out, { recursive: true, force: true });
    }
  });
});

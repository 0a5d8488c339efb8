// `gate --data-dir` reaches every scenario (BIG-bench's run spec reads task.json from it), and
// `--allow-missing` gates against the benchmarks present while listing the absent ones.
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { writeFixtureDataDir } from '../tasks/scenarios/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

describe('gate with --data-dir and --allow-missing', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await writeFixtureDataDir();
    writeFileSync(
      join(dir, 'suite.conf'),
      [
        'big_bench:model=neurips/local,max_train_instances=0,task=fixture_mc,subtask=,max_eval_instances=4',
        'sam_sum:model=neurips/local,max_eval_instances=4',
        'mmlu:subject=anatomy,model=neurips/local,max_eval_instances=4',
      ].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'clean.jsonl'), `${JSON.stringify({ prompt: 'What is two plus two?', completion: ' four' })}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads BIG-bench task.json from --data-dir, not the default cache', () => {
    writeFileSync(join(dir, 'bb.conf'), 'big_bench:model=neurips/local,max_train_instances=0,task=fixture_mc,subtask=,max_eval_instances=4\n');
    const r = runCli(['gate', '--dataset', join(dir, 'clean.jsonl'), '--suite', join(dir, 'bb.conf'), '--data-dir', dir], { env: { EVALFIRST_DATA: join(dir, 'elsewhere'), XDG_CACHE_HOME: join(dir, 'cache') } });
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.contain('gate passed');
  });

  it('missing data is an error (exit 2) naming the file, unless --allow-missing lists it and gates the rest', () => {
    const strict = runCli(['gate', '--dataset', join(dir, 'clean.jsonl'), '--suite', join(dir, 'suite.conf'), '--data-dir', dir]);
    expect(strict.status).to.equal(2);
    expect(strict.stderr).to.contain(join(dir, 'mmlu'));

    const junit = join(dir, 'gate.xml');
    const lenient = runCli(['gate', '--dataset', join(dir, 'clean.jsonl'), '--suite', join(dir, 'suite.conf'), '--data-dir', dir, '--allow-missing', '--junit', junit, '--json']);
    expect(lenient.status, lenient.stderr).to.equal(0);
    const report = JSON.parse(lenient.stdout) as { benchmarks: Record<string, number>; missing: { benchmark: string; entry: string; file: string }[] };
    expect(Object.keys(report.benchmarks)).to.have.length(2);
    expect(Object.keys(report.benchmarks)).to.not.include('mmlu');
    expect(report.missing).to.have.length(1);
    expect(report.missing[0]!.benchmark).to.equal('mmlu');
    expect(report.missing[0]!.file).to.contain(join(dir, 'mmlu'));
    const doc = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8'));
    expect(Number(doc.testsuites['@_skipped'])).to.equal(1);

    const text = runCli(['gate', '--dataset', join(dir, 'clean.jsonl'), '--suite', join(dir, 'suite.conf'), '--data-dir', dir, '--allow-missing']);
    expect(text.stdout).to.match(/not checked, data absent \(--allow-missing\): mmlu \(1 run entry/);
  });
});

// `data verify` on ../shared/datasets and on a directory with a corrupted file.
import { expect } from 'chai';
import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData } from '../helpers/shared-data.js';
import { runCli } from '../helpers/run-cli.js';
import { pinsBySource, selectSources } from '../../harness/data/sources.js';
import { DATA_SOURCES } from '../../harness/commands/data.js';

const selectPins = (names: string[]) => pinsBySource(selectSources(names, DATA_SOURCES));
const PINS = Object.fromEntries(selectPins([]));
import { verifyExitCode, verifyPins } from '../../harness/data/verify.js';

describe('data verify', function () {
  it('../shared/datasets: every pinned file present there matches; what is missing is listed', async function () {
    const dir = requireSharedData(this);
    const rows = await verifyPins(dir, selectPins([]));
    const by = (s: string) => rows.filter((r) => r.status === s);
    expect(by('mismatch')).to.deep.equal([]);
    expect(by('ok')).to.have.length(202);
    expect(by('missing').map((r) => r.path)).to.include('bbq/data/SES.jsonl').and.include('hidden/samsum.tsv');
    expect(verifyExitCode(rows)).to.equal(3);
    // The benchmarks whose files are all there verify cleanly on their own.
    expect(verifyExitCode(await verifyPins(dir, selectPins(['mmlu', 'truthful_qa', 'gsm', 'ethics_upstream', 'leaderboard'])))).to.equal(0);
  });

  it('CLI: a benchmark absent altogether is a note (exit 0), a failure only with --strict; one present in part fails (exit 3)', async function () {
    const shared = requireSharedData(this, 'gsm8k');
    const dir = await mkdtemp(join(tmpdir(), 'evalfirst-verify-absent-'));
    try {
      await mkdir(join(dir, 'gsm8k'));
      await cp(join(shared, 'gsm8k/train.jsonl'), join(dir, 'gsm8k/train.jsonl'));
      await cp(join(shared, 'gsm8k/test.jsonl'), join(dir, 'gsm8k/test.jsonl'));
      const r = runCli(['data', 'verify', dir, 'gsm', 'sam_sum']);
      expect(r.status, r.stdout).to.equal(0);
      expect(r.stdout).to.contain('not in ' + dir + ' at all (a note, not a failure; --strict makes it one): sam_sum');
      expect(runCli(['data', 'verify', dir, 'gsm', 'sam_sum', '--strict']).status).to.equal(3);
      await rm(join(dir, 'gsm8k/test.jsonl'));
      const partial = runCli(['data', 'verify', dir, 'gsm']);
      expect(partial.status).to.equal(3);
      expect(partial.stdout).to.contain('only partly present (a failure: their runs cannot run whole): gsm');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('CLI: a corrupted file is reported as a mismatch with both digests, exit 1', async function () {
    const shared = requireSharedData(this, 'gsm8k');
    const dir = await mkdtemp(join(tmpdir(), 'evalfirst-verify-'));
    try {
      await mkdir(join(dir, 'gsm8k'));
      await cp(join(shared, 'gsm8k/train.jsonl'), join(dir, 'gsm8k/train.jsonl'));
      await writeFile(join(dir, 'gsm8k/test.jsonl'), '{"question": "changed", "answer": "#### 1"}\n');
      const r = runCli(['data', 'verify', dir, 'gsm']);
      expect(r.status).to.equal(1);
      expect(r.stdout).to.match(/ok\s+gsm\s+gsm8k\/train\.jsonl/);
      expect(r.stdout).to.match(/mismatch\s+gsm\s+gsm8k\/test\.jsonl\s+\(expected sha256 3730d312/);
      expect(r.stdout).to.include('1 ok, 1 mismatched, 0 missing');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pins cover every file the scenarios read', () => {
    const paths = new Set(Object.values(PINS).flatMap((p) => p.map((x) => x.path)));
    for (const p of ['truthfulqa/data/v1/TruthfulQA.csv', 'gsm8k/test.jsonl', 'bbq/data/Race_x_SES.jsonl', 'hidden/util.csv', 'hidden/commonsense_hard.csv', 'bigbench/benchmark_tasks/logical_deduction/seven_objects/task.json', 'mmlu/data/test/anatomy_test.csv', 'mmlu/data/dev/anatomy_dev.csv']) {
      expect(paths.has(p), p).to.equal(true);
    }
    expect(PINS.bbq.every((p) => p.sha256 || p.gitBlobSha1)).to.equal(true);
  });

  it('CLI: data list and data mini', async function () {
    const list = runCli(['data', 'list', '--data-dir', tmpdir()]);
    expect(list.status).to.equal(0);
    expect(list.stdout).to.match(/bbq\s+11 files\s+11 with checksum/);
    expect(list.stdout).to.match(/math\s+not pinned: MATH comes as one archive/);
    const out = await mkdtemp(join(tmpdir(), 'evalfirst-mini-'));
    try {
      const mini = runCli(['data', 'mini', '--out', out]);
      // Either the generator writes files, or (before it lands) a clear message.
      if (mini.status === 0) expect(mini.stdout).to.match(/wrote \d+ files/);
      else expect(mini.stderr).to.include('mini-challenge generator');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

// integrations/scoring_server.py as the supervisor starts it (harness/supervisor/scoring-server-process.ts)
// and as check-server sees it: the CPU test model through scoring_server's own serve() where only
// torch is installed (Debian's python3-torch, as in CI), a real transformers checkpoint where
// transformers and peft are (EVALFIRST_HF_PYTHON or /tmp/hfenv), and the errors of a server that
// cannot start (no torch, no interpreter, no base dir) everywhere.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pythonCannotServe, scoringServerCommand, shellQuote, startScoringServer, SCORING_SERVER_SCRIPT } from '../../harness/supervisor/scoring-server-process.js';
import { savedScoring, savedScoringKind } from '../../harness/supervisor/scoring-backends.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';
import { checkpointEvaluator } from '../../harness/supervisor/checkpoint-eval.js';
import { supervise } from '../../harness/supervisor/supervisor.js';
import type { EvaluateCheckpoint } from '../../harness/supervisor/scorer.js';
import { processAlive } from '../../harness/supervisor/trainer-handle.js';
import { parseTarget } from '../../harness/supervisor/target.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { supervisorConfig } from '../helpers/supervisor-config.js';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { hfPython, needPython, torchPython } from '../helpers/python.js';

const TINY_SERVER = join(REPO_ROOT, 'integrations', 'testing_tiny_server.py');
const tinyCommand = (python: string) => `${shellQuote(python)} ${shellQuote(TINY_SERVER)} --device cpu --max-wait-ms 1`;
const scratch = () => mkdtempSync(join(tmpdir(), 'ef-ss-'));

const cli = (args: string[]) => runCliAsync(args);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('the Python scoring server, started by the supervisor', function () {
  this.timeout(240_000);

  it('--final-eval-with auto without such an interpreter: the embedded runtime for a small base, else an error saying what to give', () => {
    const small = savedScoringKind({ with: 'auto', base: TINY_BASE_PATH, python: '/nonexistent/python3' });
    expect(small.kind).to.equal('embedded');
    expect(small.note).to.match(/^saved checkpoints are scored on the embedded runtime \(\/nonexistent\/python3: /);
    const debian = torchPython();
    if (debian && !hfPython()?.startsWith(debian)) {
      const note = savedScoringKind({ with: 'auto', base: TINY_BASE_PATH, python: debian }).note ?? '';
      if (note) expect(note).to.match(/cannot import torch, transformers, peft: ModuleNotFoundError: No module named '(transformers|peft)'/);
    }
    expect(() => savedScoringKind({ with: 'auto', base: TINY_BASE_PATH, python: '/nonexistent/python3' }, 1000)).to.throw(
      /cannot score saved checkpoints: \/nonexistent\/python3: .*ENOENT, and the base .* is too large for the embedded runtime; give --python PATH/,
    );
    expect(savedScoringKind({ with: 'auto', base: TINY_BASE_PATH, python: '/nonexistent/python3', command: 'my-server' })).to.deep.equal({ kind: 'server' });
    expect(savedScoringKind({ with: 'embedded', base: TINY_BASE_PATH, python: '/nonexistent' })).to.deep.equal({ kind: 'embedded' });
  });

  it('a server that cannot start says why: no torch (port and reason from the server), no interpreter, no base dir', async () => {
    const base = scratch();
    // python3 -S: no site-packages, so no torch whatever is installed.
    const noTorch = await rejection(startScoringServer({ command: `python3 -S ${shellQuote(SCORING_SERVER_SCRIPT)} --device cpu`, base }));
    expect(noTorch.name).to.equal('UserError');
    expect(noTorch.message).to.match(/exited with code 1 before it was ready:\nscoring_server: cannot start on port \d+: torch is not importable: No module named 'torch'/);
    expect(noTorch.message).to.contain('--final-eval-with embedded');
    const noPython = await rejection(startScoringServer({ command: scoringServerCommand('/nonexistent/python3'), base }));
    expect(noPython.message).to.match(/exited with code 127 before it was ready:[\s\S]*not found[\s\S]*give --python PATH or --scoring-server-cmd/);
    const noBase = await rejection(startScoringServer({ command: `python3 ${shellQuote(SCORING_SERVER_SCRIPT)} --device cpu`, base: join(base, 'missing') }));
    expect(noBase.message).to.match(/cannot start on port \d+: base dir .*missing does not exist/);
    expect(pythonCannotServe('/nonexistent/python3', true)).to.match(/^\/nonexistent\/python3: spawnSync \/nonexistent\/python3 ENOENT/);
  });

  it('CPU test model (torch only): ready line, check-server passes (context, HELM\'s longest prompt), stopped on request', async function () {
    const python = needPython(this, torchPython(), 'torch');
    const base = scratch();
    const adapter = join(base, 'checkpoint-7');
    mkdirSync(adapter);
    const proc = await startScoringServer({ command: tinyCommand(python), base, adapter });
    try {
      expect(proc.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(proc.maxSequenceLength).to.equal(2048);
      const info = (await (await fetch(`${proc.url}/info`)).json()) as { model: string };
      expect(info.model).to.equal(`tiny(base=${base}, adapter=${adapter})`);
      const r = await cli(['check-server', proc.url]);
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.match(/INFO {2}model context +the model takes 2048 tokens/);
      expect(r.stdout).to.match(/PASS {2}HELM's longest prompt +a prompt of 2047 tokens \+ max_tokens 1/);
      expect(r.stdout).to.match(/PASS {2}max_new_tokens/);
      expect(r.stdout).to.match(/PASS {2}truncation/);
    } finally {
      await proc.stop();
    }
    expect(processAlive(proc.pid)).to.equal(false);
  });

  it('the final evaluation of an earlier best: a scoring server started on its saved checkpoint, then stopped', async function () {
    const python = needPython(this, torchPython(), 'torch');
    const root = scratch();
    const base = join(root, 'base');
    mkdirSync(base);
    const run = join(root, 'run');
    const out = join(root, 'ckpt');
    // Checkpoints are scored synthetically (400 instances; step 2 the best, scored adaptively; a
    // plateau stops at step 4) and the best's saved checkpoint for real, by the CPU test model.
    const accuracy = (step: number) => (step === 2 ? 0.8 : step === 1 ? 0.5 : 0.3);
    const synthetic: EvaluateCheckpoint = async (c, n) => {
      const all = Array.from({ length: 400 }, (_, i) => (((i * 37) % 100) / 100 < accuracy(c.step) ? 1 : 0));
      return { perTask: { t: all.slice(0, n ?? 400) }, requestsSent: n ?? 400, requestsTotal: n ?? 400, fullPerRun: 400 };
    };
    const lines: string[] = [];
    const saved = savedScoring({ with: 'server', base, quant: 'none', python, command: tinyCommand(python), runDir: run, log: (l) => lines.push(l) });
    const savedEvaluate = checkpointEvaluator({ entries: ['mini_bbq:subject=all,max_eval_instances=6'], dataDir: join(root, 'data'), runDir: run, concurrency: 4, backendFor: saved.backendFor });
    const cfg = supervisorConfig(run, out, { trainerCwd: root, target: parseTarget('t >= 0.99'), patience: 2 }, '--steps 10 --interval-ms 60 --control');
    const { state } = await supervise(cfg, { checkpoint: synthetic, saved: { evaluate: savedEvaluate, release: saved.release } }, () => undefined);
    expect(state.stop?.reason).to.equal('plateau');
    expect(state.stop?.step).to.equal(4);
    const step2 = state.checkpoints.find((c) => c.step === 2)!;
    expect(step2.full_eval).to.equal(false);
    expect(state.best).to.deep.include({ step: 2, path: join(out, 'checkpoint-2'), full_eval: true });
    expect(state.best?.scored_by?.via).to.equal('scoring-server');
    expect(state.best?.scored_by?.backend).to.match(/^neurips:http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(state.best?.scores ?? {})).to.include('mini_bbq').and.not.include('t'); // the real suite entry, not the synthetic task
    expect(lines[0]).to.equal(`scoring server: starting on ${base} + ${join(out, 'checkpoint-2')} (step 2)`);
    expect(lines[1]).to.match(/^scoring server: ready at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+), context 2048 tokens\)/);
    const pid = Number(/pid (\d+)/.exec(lines[1]!)![1]);
    expect(lines.at(-1)).to.equal(`scoring server (pid ${pid}) stopped`);
    expect(processAlive(pid)).to.equal(false);
    const log = readFileSync(join(run, 'decisions.log'), 'utf8');
    expect(log).to.match(/final evaluation of the best checkpoint \(step 2\) on the full suite, from its saved checkpoint/);
  });

  describe('on a real transformers checkpoint (torch, transformers, peft)', () => {
    let python: string;
    let dirs: { base: string; adapter: string };
    before(function () {
      python = needPython(this, hfPython(), 'torch, transformers and peft');
      const root = scratch();
      dirs = { base: join(root, 'base'), adapter: join(root, 'checkpoint-1') };
      const r = spawnSync(python, [join(REPO_ROOT, 'integrations', 'testing_hf_checkpoint.py'), '--base', dirs.base, '--adapter', dirs.adapter], { encoding: 'utf8', timeout: 180_000 });
      expect(r.status, r.stderr.slice(-2000)).to.equal(0);
    });

    it('scoring_server.py --base --adapter: check-server passes against it', async () => {
      const proc = await startScoringServer({ command: `${scoringServerCommand(python)} --device cpu --dtype float32`, base: dirs.base, adapter: dirs.adapter });
      try {
        expect(proc.maxSequenceLength).to.equal(2048);
        const r = await cli(['check-server', proc.url]);
        expect(r.status, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.match(/PASS {2}HELM's longest prompt/);
        expect(r.stdout).to.match(/INFO {2}model context +the model takes 2048 tokens/);
        expect(r.stdout).not.to.match(/^WARN/m);
      } finally {
        await proc.stop();
      }
    });

    it('--final-eval-with auto: the scoring server when the interpreter imports torch, transformers and peft', () => {
      expect(savedScoringKind({ with: 'auto', base: dirs.base, python })).to.deep.equal({ kind: 'server' });
    });
  });
});

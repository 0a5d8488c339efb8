import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../helpers/run-cli.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gsmAnswer, questionNumber, writeSyntheticGsm } from './runner-fixtures.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `evalfirst-${p}-`));
/** Runs the CLI without blocking this process's event loop (the scripted server lives here). */
function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('evalfirst eval (CLI)', function () {
  this.timeout(120_000);
  const servers: ScriptedServer[] = [];
  let dataDir: string;
  let cacheHome: string;
  before(() => {
    dataDir = writeSyntheticGsm(40);
    cacheHome = tmp('xdg');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (o: Parameters<typeof startScriptedServer>[0] = {}) => {
    const s = await startScriptedServer({ answer: (p) => gsmAnswer(p), ...o });
    servers.push(s);
    return s;
  };
  const env = () => ({ XDG_CACHE_HOME: cacheHome, EVALFIRST_DATA: dataDir });

  it('evaluates entries against a server, prints the table, writes the run directory, exits 0', async () => {
    const s = await start();
    const out = join(tmp('cli'), 'run');
    const r = await runCliAsync(['eval', 'gsm:max_eval_instances=6', '--server', s.url, '--out', out, '--no-progress'], env());
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('exact_match_indicator');
    expect(r.stdout).to.contain('1.000 ± 0.000');
    expect(r.stdout).to.contain(`results: ${join(out, 'results.json')}`);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(res.config.backend).to.deep.include({ kind: 'http', protocol: 'neurips', urls: [s.url] });
    expect(res.config.cache).to.equal(join(cacheHome, 'evalfirst', 'requests.sqlite'));
    expect(res.evalfirstVersion).to.match(/^\d+\.\d+\.\d+/);
    expect(s.completions()).to.have.length(6);
  });

  it('--json prints results.json to stdout', async () => {
    const s = await start();
    const out = join(tmp('j1'), 'r');
    const r = await runCliAsync(['eval', 'gsm:max_eval_instances=5', '--server', s.url, '--out', out, '--json', '--no-cache'], env());
    expect(r.status, r.stderr).to.equal(0);
    const parsed = JSON.parse(r.stdout) as ResultsFile;
    expect(parsed.runs[0].numRequests).to.equal(5);
    expect(parsed).to.deep.equal(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
  });

  it('exits 1 when requests fail, shows the count and the first errors, and still writes everything', async () => {
    const s = await start({ fault: (c) => (questionNumber(String(c.body.prompt ?? '')) === 3 ? { kind: 'drop-key', key: 'logprob' } : undefined) });
    const out = join(tmp('fail'), 'r');
    const r = await runCliAsync(['eval', 'gsm:max_eval_instances=40', '--server', s.url, '--out', out, '--no-cache', '--no-progress'], env());
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('1 request ended in error');
    expect(r.stderr).to.match(/missing key "logprob"/);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(res.errors.count).to.equal(1);
    expect(res.runs[0].metrics.exact_match_indicator.count).to.equal(39);
  });

  it('continues a run killed with SIGKILL (--resume) without re-sending any completed request', async () => {
    const s = await start({ delayMs: 60 });
    const out = join(tmp('kill'), 'r');
    const child = spawnCli(['eval', 'gsm', '--server', s.url, '--out', out, '--no-cache', '--concurrency', '2', '--no-progress'], { env: env() });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (s.completions().length >= 12) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(t);
        reject(new Error(`eval exited before it could be killed: ${stderr}`));
      });
    });
    expect(await exited).to.equal(-1);
    const journalLines = readFileSync(join(out, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.endsWith('}'));
    const completedBeforeKill = new Set(journalLines.map((l) => (JSON.parse(l) as { index: number }).index));
    expect(completedBeforeKill.size).to.be.within(8, 39);
    const sentBeforeResume = s.completions().length;

    const r = await runCliAsync(['eval', '--resume', out, '--no-progress'], env());
    expect(r.status, r.stderr).to.equal(0);
    const records = readFileSync(join(out, 'instances.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as InstanceRecord);
    expect(records).to.have.length(40);
    const completedPrompts = new Set([...completedBeforeKill].map((i) => records[i].prompt));
    const resent = s.completions().slice(sentBeforeResume).map((q) => String(q.body.prompt));
    for (const p of resent) expect(completedPrompts.has(p), `completed request sent again: ${p.slice(-40)}`).to.equal(false);
    // Every prompt was sent at most twice (only the ones in flight at the kill), and all 40 got answers.
    expect(new Set(s.completions().map((q) => q.body.prompt)).size).to.equal(40);
    expect(resent.length).to.equal(40 - completedBeforeKill.size);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(res.runs[0].metrics.exact_match_indicator).to.include({ mean: 1, count: 40 });
  });

  it('on Ctrl-C (SIGINT) exits 130 and says how to resume', async () => {
    const s = await start({ delayMs: 50 });
    const out = join(tmp('int'), 'r');
    const child = spawnCli(['eval', 'gsm', '--server', s.url, '--out', out, '--no-cache', '--concurrency', '1', '--no-progress'], { env: env() });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (s.completions().length < 3) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGINT');
    expect(await exited).to.equal(130);
    expect(stderr).to.contain(`Continue with: evalfirst eval --resume ${out}`);
  });

  it('spreads requests over comma-separated replicas and reads a suite file', async () => {
    const a = await start({ delayMs: 5 });
    const b = await start({ delayMs: 5 });
    const conf = join(tmp('suite'), 'my.conf');
    writeFileSync(conf, 'entries: [\n  {description: "gsm:model=neurips/local,max_eval_instances=10", priority: 1}\n]\n');
    const r = await runCliAsync(['eval', '--suite', conf, '--server', `${a.url},${b.url}`, '--out', join(tmp('rep'), 'r'), '--no-cache', '--no-progress'], env());
    expect(r.status, r.stderr).to.equal(0);
    expect(a.completions().length + b.completions().length).to.equal(10);
    expect(a.completions().length).to.be.within(2, 8);
  });

  it('gives usage errors (exit 2) without a backend, without entries, or with --resume plus entries', async () => {
    // In-process through main() (the same entry point the binary runs), capturing stderr.
    const { main } = await import('../../harness/cli.js');
    const run = async (args: string[]) => {
      const original = console.error;
      let stderr = '';
      console.error = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
      try {
        const status = await main(args);
        return { status, stderr };
      } finally {
        console.error = original;
        process.exitCode = undefined;
      }
    };
    let r = await run(['eval', 'gsm']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('eval needs --server URL');
    r = await run(['eval', '--server', 'http://127.0.0.1:9']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('nothing to evaluate');
    r = await run(['eval', 'gsm', '--resume', tmp('x')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('--resume takes its entries and backend from the run directory');
    r = await run(['eval', '--resume', tmp('y')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/is not a run directory \(no config\.json\)/);
    r = await run(['eval', 'nosuchscenario', '--server', 'http://127.0.0.1:9', '--out', join(tmp('z'), 'r'), '--no-cache']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain("unknown scenario 'nosuchscenario'");
    r = await run(['eval', 'gsm', '--model', '/x', '--server', 'http://127.0.0.1:9']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('give either --server or --model, not both');
  });
  it('results.json carries environment, timing and task versions; --limit N takes HELM\'s seeded selection (same ids as max_eval_instances=N)', async () => {
    const s = await start();
    const base = tmp('limit');
    const limited = await runCliAsync(['eval', 'gsm:max_eval_instances=20', '--limit', '5', '--server', s.url, '--out', join(base, 'limited'), '--no-progress', '--no-cache'], env());
    expect(limited.status, limited.stderr).to.equal(0);
    const direct = await runCliAsync(['eval', 'gsm:max_eval_instances=5', '--server', s.url, '--out', join(base, 'direct'), '--no-progress', '--no-cache'], env());
    expect(direct.status, direct.stderr).to.equal(0);
    const ids = (dir: string) => readFileSync(join(base, dir, 'instances.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as InstanceRecord).instanceId);
    expect(ids('limited')).to.have.length(5);
    expect(ids('limited')).to.deep.equal(ids('direct'));
    const firstFive = await runCliAsync(['eval', 'gsm:max_eval_instances=40', '--limit', '5', '--server', s.url, '--out', join(base, 'all'), '--no-progress', '--no-cache'], env());
    expect(firstFive.status).to.equal(0);
    expect(ids('all')).to.deep.equal(ids('direct')); // not the first five in file order: HELM's seeded choice
    const res = JSON.parse(readFileSync(join(base, 'limited', 'results.json'), 'utf8')) as ResultsFile;
    expect(res.environment).to.have.keys(['evalfirst', 'node', 'os', 'cpu', 'memoryBytes', 'packages']);
    expect((res.environment as { packages: Record<string, string> }).packages['p-limit']).to.match(/^\d+\.\d+\.\d+$/);
    expect(Date.parse(res.finishedAt!)).to.be.at.least(Date.parse(res.startedAt!));
    expect(res.durationS).to.be.a('number');
    expect(res.runs[0]!.taskVersion).to.match(/^[0-9a-f]{12}$/);
    expect((res.config as { limit?: number }).limit).to.equal(5);
  });
});

describe('evalfirst eval --model (embedded runtime)', function () {
  this.timeout(120_000);
  it('evaluates a seeded demo model in-process and records its identity', async function () {
    const { makeSeededDemoModel } = await import('../../model/llama/demo-model.js');
    const modelDir = tmp('demo-model');
    await makeSeededDemoModel(modelDir);
    const dataDir = writeSyntheticGsm(3);
    const out = join(tmp('emb'), 'r');
    const r = await runCliAsync(['eval', 'gsm:max_train_instances=0', '--model', modelDir, '--data-dir', dataDir, '--out', out, '--no-cache', '--no-progress', '--json'], {
      XDG_CACHE_HOME: tmp('xdg2'),
    });
    expect(r.status, r.stderr).to.equal(0);
    const res = JSON.parse(r.stdout) as ResultsFile;
    expect(res.backend.protocol).to.equal('embedded');
    expect(res.backend.id).to.match(/^embedded:/);
    expect(res.runs[0].numRequests).to.equal(3);
    expect(res.runs[0].numErrors).to.equal(0);
  });

});

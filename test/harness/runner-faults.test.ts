// A fault-injecting server against the runner: answers longer than max_new_tokens, a /tokenize
// that fails for longer than the client's own retries, a server that hangs, and the eval CLI's
// --resume --no-cache and empty-data warnings.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../harness/runner/evaluate.js';
import { createProgressReporter } from '../../harness/runner/progress.js';
import { NeuripsBackend } from '../../model/backends/neurips.js';
import type { InstanceRecord } from '../../core/results-schema.js';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../helpers/scripted-server.js';
import { gsmAnswer, writeSyntheticGsm } from './runner-fixtures.js';
import { runCliAsync } from '../helpers/run-cli.js';

const fast = { timeoutMs: 5000, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } };
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `evalfirst-${p}-`));
const readRecords = (dir: string): InstanceRecord[] => readFileSync(join(dir, 'instances.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as InstanceRecord);
const MCQ = 'mini_mmlu:subject=all,max_eval_instances=40';

describe('runner against a fault server', function () {
  this.timeout(60_000);
  const servers: ScriptedServer[] = [];
  afterEach(async () => Promise.all(servers.splice(0).map((s) => s.close())));
  const start = async (o: ScriptedServerOptions = {}) => {
    const s = await startScriptedServer(o);
    servers.push(s);
    return s;
  };

  it('cuts an answer longer than max_new_tokens to max_new_tokens tokens before scoring, and flags it in instances.jsonl and results.json', async () => {
    // every second request gets 3 tokens where 1 was asked for
    const tok = (t: string) => ({ text: t, logprob: -0.5, top_logprob: { [t]: -0.5 } });
    const s = await start({ answer: () => ' B', fault: (c) => (c.path === '/process' && c.seq % 2 === 0 ? { kind: 'body', body: { text: ' B C D', tokens: [tok(' B'), tok(' C'), tok(' D')], logprob: -1.5, request_time: 0.001 } } : undefined) });
    const out = join(tmp('long'), 'r');
    const { results } = await evaluate({ entries: [MCQ], backend: new NeuripsBackend({ urls: [s.url], http: fast }), dataDir: tmp('data'), outDir: out, concurrency: 1 });
    const records = readRecords(out);
    const cut = records.filter((r) => r.truncated);
    expect(cut.length).to.equal(Math.floor(records.length / 2));
    for (const r of cut) {
      expect(r.truncated).to.deep.equal({ tokens: 3, maxTokens: 1 });
      expect(r.completion).to.include({ text: ' B', logprob: -0.5 });
      expect(r.completion?.tokens).to.have.length(1);
    }
    // every answer scored as " B": the cut ones too (whole, " B C D" would never match a letter)
    for (const r of records) expect(r.scores.exact_match, r.instanceId).to.equal('ABCDE'[r.references.findIndex((x) => x.correct)] === 'B' ? 1 : 0);
    expect(cut.some((r) => r.scores.exact_match === 1)).to.equal(true);
    expect(results.runs[0].numTruncated).to.equal(cut.length);
    expect(results.truncated?.count).to.equal(cut.length);
    expect(results.truncated?.first[0]).to.include({ tokens: 3, maxTokens: 1 });
  });

  it('plans a run again when /tokenize keeps failing past the client\'s retries, and only a persistent failure stops it (without suggesting --tokenizer)', async () => {
    const dataDir = writeSyntheticGsm(6);
    // one /tokenize call meets 503, 503, a reset, 503: more than the client's 3 attempts
    let victim: string | undefined;
    const flaky = await start({
      answer: (p) => gsmAnswer(p),
      fault: (c) => {
        if (c.path !== '/tokenize') return undefined;
        victim ??= JSON.stringify(c.body);
        if (JSON.stringify(c.body) !== victim || c.attempt > 4) return undefined;
        return c.attempt === 3 ? { kind: 'destroy' } : { kind: 'status', status: 503 };
      },
    });
    const { results } = await evaluate({ entries: ['gsm'], backend: new NeuripsBackend({ urls: [flaky.url], http: fast }), dataDir, outDir: join(tmp('tok'), 'r'), replanDelayMs: 10 });
    expect(results.errors.count).to.equal(0);
    expect(results.runs[0].numRequests).to.equal(6);
    const down = await start({ fault: (c) => (c.path === '/tokenize' ? { kind: 'status', status: 500 } : undefined) });
    let err: Error | undefined;
    await evaluate({ entries: ['gsm'], backend: new NeuripsBackend({ urls: [down.url], http: fast }), dataDir, outDir: join(tmp('tok'), 'r2'), replanDelayMs: 10 }).catch((e: Error) => (err = e));
    expect(err?.name).to.equal('UserError');
    expect(err?.message).to.match(/^run gsm.*: fitting prompts needs the model's tokenizer, and the server's tokenizer kept failing \(4 rounds of retries\): .*HTTP 500/);
    expect(err?.message).to.not.contain('--tokenizer');
    expect(down.log.filter((r) => r.path === '/tokenize').length).to.be.at.least(4 * 3); // 4 rounds of 3 attempts (calls run concurrently)
  });

  it('shows a hung server in the progress: requests in flight and how long since the last answer', async () => {
    const dataDir = writeSyntheticGsm(3);
    const s = await start({ fault: (c) => (c.path === '/process' ? { kind: 'hang' } : undefined) });
    const text: string[] = [];
    const stream = { isTTY: false, write: (c: string) => (text.push(c), true) } as unknown as NodeJS.WriteStream;
    const progress = createProgressReporter(stream, 200, 300);
    const { results } = await evaluate({
      entries: ['gsm'],
      backend: new NeuripsBackend({ urls: [s.url], http: { timeoutMs: 1500, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } } }),
      dataDir,
      outDir: join(tmp('hang'), 'r'),
      onProgress: (e) => progress.update(e),
    });
    progress.stop();
    expect(results.errors.count).to.equal(3);
    const stalled = text.filter((l) => /^eval: 0\/3 requests, .*; 3 in flight, no answer for \ds$/m.test(l));
    expect(stalled.length, text.join('')).to.be.at.least(2); // repeated while nothing comes back
  });

  it('eval --resume --no-cache sends again what the cache holds (the corrupt-cache error recommends it)', async () => {
    const dataDir = writeSyntheticGsm(6);
    const s = await start({ answer: (p) => gsmAnswer(p) });
    const out = join(tmp('nocache'), 'r');
    const env = { EVALFIRST_CACHE: join(tmp('cache'), 'requests.sqlite') };
    const first = await runCliAsync(['eval', 'gsm', '--server', s.url, '--data-dir', dataDir, '--out', out, '--no-progress'], { env });
    expect(first.status, first.stderr).to.equal(0);
    const sent = s.completions().length;
    expect(sent).to.equal(6);
    // keep 2 answers in the journal; the other 4 are in the cache
    const journal = join(out, 'journal.jsonl');
    writeFileSync(journal, readFileSync(journal, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const cacheSize = statSync(env.EVALFIRST_CACHE).size;
    const r = await runCliAsync(['eval', '--resume', out, '--no-cache', '--no-progress'], { env });
    expect(r.status, r.stderr).to.equal(0);
    expect(s.completions().length - sent).to.equal(4);
    expect(statSync(env.EVALFIRST_CACHE).size).to.equal(cacheSize);
  });

  it('warns of a run with no eval instance (an empty MMLU test CSV), naming its data files', async () => {
    const dataDir = tmp('mmlu');
    const row = (i: number) => `"Question ${i}?",a,b,c,d,A`;
    for (const [folder, n] of [['dev', 5], ['val', 1], ['test', 0]] as const) {
      mkdirSync(join(dataDir, 'mmlu', 'data', folder), { recursive: true });
      writeFileSync(join(dataDir, 'mmlu', 'data', folder, `anatomy_${folder}.csv`), Array.from({ length: n }, (_, i) => row(i)).join('\n'));
    }
    const s = await start();
    const r = await runCliAsync(['eval', 'mmlu:subject=anatomy', '--server', s.url, '--data-dir', dataDir, '--out', join(tmp('mmlu-run'), 'r'), '--no-cache', '--no-progress', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/warning: run mmlu:subject=anatomy,method=multiple_choice_joint has no instance of its main split \(test; empty: mmlu\/data\/test\/anatomy_test\.csv\); its scores are over n = 0/);
    expect(JSON.parse(r.stdout).warnings).to.have.length(1);
  });

  it('eval prints a warning for answers cut to max_new_tokens', async () => {
    const tok = (t: string) => ({ text: t, logprob: -0.5, top_logprob: { [t]: -0.5 } });
    const s = await start({ fault: (c) => (c.path === '/process' ? { kind: 'body', body: { text: ' A A', tokens: [tok(' A'), tok(' A')], logprob: -1, request_time: 0 } } : undefined) });
    const r = await runCliAsync(['eval', 'mini_mmlu:subject=geography,max_eval_instances=4', '--server', s.url, '--out', join(tmp('cut'), 'r'), '--no-cache', '--no-progress']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/warning: 4 answers were longer than max_new_tokens and were cut to it before scoring/);
    expect(r.stderr).to.match(/: 2 tokens for max_new_tokens 1/);
  });
});

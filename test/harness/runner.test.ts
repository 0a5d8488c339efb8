import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../harness/runner/evaluate.js';
import { readJournal } from '../../harness/runner/journal.js';
import { RequestCache } from '../../harness/runner/cache.js';
import { NeuripsBackend } from '../../model/backends/neurips.js';
import { OpenAIBackend } from '../../model/backends/openai.js';
import type { InstanceRecord, ResultsFile } from '../../core/results-schema.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gsmAnswer, questionNumber, writeSyntheticGsm } from './runner-fixtures.js';
import { requireSharedData } from '../helpers/shared-data.js';

const fast = { timeoutMs: 5000, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } };
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `evalfirst-${p}-`));
const readRecords = (dir: string): InstanceRecord[] =>
  readFileSync(join(dir, 'instances.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as InstanceRecord);

describe('harness/runner evaluate()', function () {
  this.timeout(60_000);
  const servers: ScriptedServer[] = [];
  let dataDir: string;
  before(() => {
    dataDir = writeSyntheticGsm(12);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const start = async (o: Parameters<typeof startScriptedServer>[0] = {}) => {
    const s = await startScriptedServer({ answer: (p) => gsmAnswer(p, (i) => i % 4 === 3), ...o });
    servers.push(s);
    return s;
  };

  it('runs an entry end to end over HTTP and writes results.json and instances.jsonl', async () => {
    const s = await start();
    const out = join(tmp('run'), 'r1');
    const backend = new NeuripsBackend({ urls: [s.url], http: fast });
    const { results: res } = await evaluate({ entries: ['gsm:max_eval_instances=8'], backend, dataDir, outDir: out, backendConfig: { kind: 'http', protocol: 'neurips', urls: [s.url] } });
    expect(res.runs).to.have.length(1);
    const run = res.runs[0];
    expect(run.entry).to.equal('gsm:max_eval_instances=8');
    expect(run.numRequests).to.equal(8);
    expect(run.numErrors).to.equal(0);
    // The server cut every answer at "\n\n" (stop sequence sent by HELM's gsm spec), so right ones score 1.
    const records = readRecords(out);
    const expected = records.filter((r) => questionNumber(r.prompt)! % 4 !== 3).length / records.length;
    expect(run.metrics.exact_match_indicator.mean).to.be.closeTo(expected, 1e-12);
    expect(run.metrics.exact_match_indicator.count).to.equal(8);
    expect(run.dataChecksums['gsm8k/test.jsonl']).to.match(/^[0-9a-f]{64}$/);
    expect(res.backend).to.include({ id: backend.id, protocol: 'neurips' });
    expect(res.groups.map((g) => g.group)).to.deep.equal(['gsm']);
    expect(res.errors.count).to.equal(0);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).to.deep.equal(JSON.parse(JSON.stringify(res)));
    expect(records).to.have.length(8);
    expect(records[0].prompt.endsWith('\nA:')).to.equal(true);
    expect(records[0].request).to.include({ maxTokens: 400 });
    expect(records[0].completion!.text).to.not.contain('\n\n');
    expect(Object.keys(records[0].scores)).to.deep.equal(['exact_match_indicator']);
    expect(s.completions()).to.have.length(8);
    expect(s.completions()[0].body.stop_sequences).to.deep.equal(['\n\n']);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).entries).to.deep.equal(['gsm:max_eval_instances=8']);
  });

  it('records a request whose response is invalid or lacks a key as an error and finishes the run', async () => {
    const s = await start({
      fault: (c) => {
        const q = questionNumber(String(c.body.prompt ?? ''));
        return q === 2 ? { kind: 'invalid-json' } : q === 5 ? { kind: 'drop-key', key: 'tokens' } : undefined;
      },
    });
    const out = join(tmp('err'), 'r');
    const { results: res } = await evaluate({ entries: ['gsm'], backend: new NeuripsBackend({ urls: [s.url], http: fast }), dataDir, outDir: out });
    expect(res.errors.count).to.equal(2);
    expect(res.runs[0].numErrors).to.equal(2);
    expect(res.runs[0].metrics.exact_match_indicator.count).to.equal(10);
    const messages = res.errors.first.map((e) => e.message).join('\n');
    expect(messages).to.match(/invalid JSON/);
    expect(messages).to.match(/missing key "tokens"/);
    const bad = readRecords(out).filter((r) => r.error !== null);
    expect(bad).to.have.length(2);
    expect(bad.every((r) => r.completion === null)).to.equal(true);
  });

  it('answers a second run from the cache without sending anything', async () => {
    const s = await start();
    const cachePath = join(tmp('cache'), 'c.sqlite');
    const backend = new NeuripsBackend({ urls: [s.url], http: fast });
    const { results: first } = await evaluate({ entries: ['gsm:max_eval_instances=6'], backend, dataDir, outDir: join(tmp('c1'), 'r'), cachePath });
    const sentFirst = s.log.length;
    expect(s.completions()).to.have.length(6);
    const { results: second } = await evaluate({ entries: ['gsm:max_eval_instances=6'], backend, dataDir, outDir: join(tmp('c2'), 'r'), cachePath });
    expect(s.log.length, 'no completion or tokenizer request on the re-run').to.equal(sentFirst);
    expect(second.runs[0].metrics).to.deep.equal(first.runs[0].metrics);
    const c = new RequestCache(cachePath);
    expect(c.count()).to.equal(6);
    c.close();
  });

  it('resumes from the journal, sending only what was not completed', async () => {
    const s = await start();
    const out = join(tmp('res'), 'r');
    const backend = new NeuripsBackend({ urls: [s.url], http: fast });
    await evaluate({ entries: ['gsm:max_eval_instances=10'], backend, dataDir, outDir: out });
    // Keep 4 journal lines and tear the 5th, as a kill -9 mid-write would.
    const lines = readFileSync(join(out, 'journal.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(out, 'journal.jsonl'), lines.slice(0, 4).join('\n') + '\n' + lines[4].slice(0, 30));
    const promptOf = new Map(readRecords(out).map((r, i) => [i, r.prompt]));
    const keptPrompts = new Set(lines.slice(0, 4).map((l) => promptOf.get((JSON.parse(l) as { index: number }).index)));
    const before = s.completions().length;
    const { results: res } = await evaluate({ entries: ['gsm:max_eval_instances=10'], backend, dataDir, outDir: out, resume: true });
    const resent = s.completions().slice(before).map((r) => String(r.body.prompt));
    expect(resent).to.have.length(6);
    expect(keptPrompts.size).to.equal(4);
    for (const p of resent) expect(keptPrompts.has(p), 'a journaled request was sent again').to.equal(false);
    expect(res.runs[0].numRequests).to.equal(10);
    expect(readJournal(join(out, 'journal.jsonl')).size).to.equal(10);
  });

  it('refuses to overwrite a run directory that holds a journal unless resuming', async () => {
    const s = await start();
    const out = join(tmp('dup'), 'r');
    const backend = new NeuripsBackend({ urls: [s.url], http: fast });
    await evaluate({ entries: ['gsm:max_eval_instances=2'], backend, dataDir, outDir: out });
    let err: Error | undefined;
    await evaluate({ entries: ['gsm:max_eval_instances=2'], backend, dataDir, outDir: out }).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/already holds a run; continue it with --resume/);
  });

  it('names a damaged journal line on resume', async () => {
    const out = tmp('bad');
    writeFileSync(join(out, 'journal.jsonl'), '{"key":"a","completion":{"text":"x"}}\nnot json\n{"key":"b","completion":{"text":"y"}}\n');
    expect(() => readJournal(join(out, 'journal.jsonl'))).to.throw(/journal\.jsonl:2: journal line is not JSON/);
    appendFileSync(join(out, 'ok.jsonl'), '');
    expect(readJournal(join(out, 'ok.jsonl')).size).to.equal(0);
    expect(readJournal(join(out, 'absent.jsonl')).size).to.equal(0);
  });

  it('stops sending once the first requests all fail, recording the rest as not sent', async () => {
    const s = await start({ fault: (c) => (c.path === '/process' ? { kind: 'status', status: 404 } : undefined) });
    const out = join(tmp('brk'), 'r');
    const { results: res } = await evaluate({ entries: ['gsm'], backend: new NeuripsBackend({ urls: [s.url], http: fast }), dataDir, outDir: out, concurrency: 2 });
    expect(res.errors.count).to.equal(12);
    expect(s.completions().length).to.be.within(10, 11);
    expect(res.errors.first[0].message).to.match(/HTTP 404/);
    const notSent = readRecords(out).filter((r) => r.error?.startsWith('not sent: the first 10 requests all failed'));
    expect(notSent.length).to.equal(12 - s.completions().length);
  });

  it('names a failed tokenizer request as the reason a run cannot be prepared', async () => {
    const s = await start({ tokenizeEndpoints: false });
    let err: Error | undefined;
    await evaluate({ entries: ['gsm:max_eval_instances=2'], backend: new NeuripsBackend({ urls: [s.url], http: fast }), dataDir, outDir: join(tmp('tok'), 'r') }).catch((e: Error) => (err = e));
    expect(err?.name).to.equal('UserError');
    expect(err?.message).to.match(/^run gsm.*: fitting prompts needs the model's tokenizer, and request tokenize\(\d+ chars\): POST http:\/\/127\.0\.0\.1:\d+\/tokenize answered HTTP 404.*--tokenizer tokenizer\.json/);
    expect(s.completions()).to.have.length(0);
  });

  it('keeps at most `concurrency` requests of any kind (completions and tokenizer calls) in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    let tokenizeCalls = 0;
    const s = await start();
    const backend = new NeuripsBackend({ urls: [s.url], http: fast });
    const counted = async <T>(f: () => Promise<T>): Promise<T> => {
      peak = Math.max(peak, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 10));
        return await f();
      } finally {
        inFlight--;
      }
    };
    const counting = {
      id: backend.id,
      maxSequenceLength: backend.maxSequenceLength,
      tokenize: (t: string, o?: Parameters<typeof backend.tokenize>[1]) => counted(() => (tokenizeCalls++, backend.tokenize(t, o))),
      decode: (ids: number[]) => counted(() => backend.decode(ids)),
      complete: (r: Parameters<typeof backend.complete>[0]) => counted(() => backend.complete(r)),
    };
    await evaluate({ entries: ['gsm'], backend: counting, dataDir, outDir: join(tmp('conc'), 'r'), concurrency: 3 });
    expect(tokenizeCalls).to.be.greaterThan(0);
    expect(peak).to.equal(3);
  });

  it('evaluates only the sampled instance ids and reports progress', async () => {
    const s = await start();
    const events: number[] = [];
    const { results: res }: { results: ResultsFile } = await evaluate({
      entries: ['gsm'],
      backend: new NeuripsBackend({ urls: [s.url], http: fast }),
      dataDir,
      outDir: join(tmp('ids'), 'r'),
      sampleIds: ['id5', 'id6', 'id7'],
      onProgress: (e) => events.push(e.done),
    });
    expect(res.runs[0].numRequests).to.equal(3);
    expect(s.completions()).to.have.length(3);
    expect(events[events.length - 1]).to.equal(3);
  });

  it('works over the OpenAI-compatible protocol', async () => {
    const s = await start({ protocol: 'openai' });
    const { results: res } = await evaluate({
      entries: ['gsm:max_eval_instances=4'],
      backend: new OpenAIBackend({ urls: [s.url], model: 'm', http: fast }),
      dataDir,
      outDir: join(tmp('oai'), 'r'),
    });
    expect(res.runs[0].numErrors).to.equal(0);
    expect(s.completions()).to.have.length(4);
    expect(s.completions()[0].body.stop).to.deep.equal(['\n\n']);
  });
});

describe('harness/runner evaluate() on real MMLU files', function () {
  this.timeout(60_000);
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** question text → correct letter, from the subject's CSVs (the server's "knowledge"). */
  async function answerKey(dataDir: string, subject: string): Promise<Map<string, string>> {
    const { parseMmluCsv, mmluFile } = await import('../../tasks/scenarios/mmlu.js');
    const key = new Map<string, string>();
    for (const folder of ['dev', 'val', 'test']) {
      const file = join(dataDir, mmluFile(subject, folder));
      for (const inst of parseMmluCsv(readFileSync(file, 'utf8'), file, 'test')) {
        key.set(inst.input, 'ABCD'[inst.references.findIndex((r) => r.correct)]);
      }
    }
    return key;
  }
  const evalQuestion = (prompt: string) => {
    const i = prompt.lastIndexOf('Question: ');
    return prompt.slice(i + 'Question: '.length, prompt.indexOf('\nA. ', i));
  };

  it('scores 5-shot anatomy exactly: a server answering the right letter gets EM 1 on the test members', async function () {
    const dataDir = requireSharedData(this, 'mmlu');
    const key = await answerKey(dataDir, 'anatomy');
    server = await startScriptedServer({ answer: (p) => ` ${key.get(evalQuestion(p)) ?? 'Z'}`, addBos: true });
    const out = join(tmp('mmlu'), 'r');
    const { results: res } = await evaluate({ entries: ['mmlu:subject=anatomy,max_eval_instances=15'], backend: new NeuripsBackend({ urls: [server.url], http: fast }), dataDir, outDir: out });
    const run = res.runs[0];
    expect(run.name).to.match(/^mmlu:subject=anatomy/);
    expect(run.numRequests).to.equal(15);
    expect(run.metrics.exact_match.mean).to.equal(1);
    const records = readRecords(out);
    expect(run.metrics.exact_match.count).to.equal(records.filter((r) => r.split === 'test').length);
    expect(records[0].prompt.startsWith('The following are multiple choice questions (with answers) about anatomy.\n\nQuestion: ')).to.equal(true);
    expect(records[0].prompt.endsWith('\nAnswer:')).to.equal(true);
    const body = server.completions()[0].body;
    expect(body).to.include({ temperature: 1e-7, max_new_tokens: 1, top_k_per_token: 5 });
    expect(body.stop_sequences).to.deep.equal([]);
    expect(Object.keys(run.dataChecksums).sort()).to.deep.equal(['mmlu/data/dev/anatomy_dev.csv', 'mmlu/data/test/anatomy_test.csv', 'mmlu/data/val/anatomy_val.csv']);
    expect(res.groups.find((g) => g.group === 'mmlu')?.metrics.exact_match.mean).to.equal(1);
  });

  it('fails a canonical run whose perturbation resources are missing before sending anything', async function () {
    const shared = requireSharedData(this, 'mmlu');
    const dataDir = tmp('noaug');
    for (const folder of ['dev', 'val', 'test']) {
      mkdirSync(join(dataDir, 'mmlu', 'data', folder), { recursive: true });
      copyFileSync(join(shared, 'mmlu', 'data', folder, `anatomy_${folder}.csv`), join(dataDir, 'mmlu', 'data', folder, `anatomy_${folder}.csv`));
    }
    server = await startScriptedServer({ answer: () => ' A' });
    let err: Error | undefined;
    await evaluate({
      entries: ['mmlu:subject=anatomy,max_eval_instances=6,data_augmentation=canonical'],
      backend: new NeuripsBackend({ urls: [server.url], http: fast }),
      dataDir,
      outDir: join(tmp('noaug-out'), 'r'),
    }).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/helm-perturbations\/.*cannot read/);
    expect(server.completions()).to.have.length(0);
  });

  it('adds robustness and fairness metrics with data_augmentation=canonical', async function () {
    const dataDir = requireSharedData(this, 'mmlu');
    requireSharedData(this, 'helm-perturbations/SAE_to_AAVE_mapping.json');
    server = await startScriptedServer({ answer: () => ' A' });
    const { results: res } = await evaluate({
      entries: ['mmlu:subject=anatomy,max_eval_instances=6,data_augmentation=canonical'],
      backend: new NeuripsBackend({ urls: [server.url], http: fast }),
      dataDir,
      outDir: join(tmp('aug'), 'r'),
    });
    const run = res.runs[0];
    expect(run.numRequests).to.be.greaterThan(6);
    expect(run.numInstances).to.equal(6);
    expect(run.metrics).to.have.property('exact_match (robustness)');
    expect(run.metrics).to.have.property('exact_match (fairness)');
  });
});

describe('harness/runner evaluate() when a later run cannot be planned', function () {
  this.timeout(30_000);
  it('keeps the earlier runs\' answers in the journal and says how to resume', async () => {
    const dataDir = writeSyntheticGsm(4);
    const server = await startScriptedServer({ answer: (p) => gsmAnswer(p) });
    try {
      const out = join(tmp('late'), 'r');
      const backend = new NeuripsBackend({ urls: [server.url], http: fast });
      let err: Error | undefined;
      // bbq's files are absent from this data dir: its planning fails after gsm's requests went out.
      await evaluate({ entries: ['gsm', 'bbq:subject=all,max_eval_instances=2'], backend, dataDir, outDir: out }).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/completed requests are kept in .*journal\.jsonl; fix this and continue with --resume/);
      expect(readJournal(join(out, 'journal.jsonl')).size).to.equal(4);
    } finally {
      await server.close();
    }
  });
});

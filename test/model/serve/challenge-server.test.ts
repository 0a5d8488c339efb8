import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend, type EmbeddedBackend } from '../../../model/backends/embedded.js';
import { makeSeededDemoModel } from '../../../model/llama/demo-model.js';
import { startChallengeServer, type RunningServer } from '../../../model/serve/challenge-server.js';
import { createBackend } from '../../../model/backends/factory.js';
import { checkServer } from '../../../model/backends/conformance.js';
import { spawnCli } from '../../helpers/run-cli.js';

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

describe('model/serve challenge server', () => {
  let dir: string;
  let backend: EmbeddedBackend;
  let srv: RunningServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ef-serve-'));
    await makeSeededDemoModel(join(dir, 'demo'));
    backend = await createEmbeddedBackend({ model: join(dir, 'demo') });
    srv = await startChallengeServer(backend, { port: 0 });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /process with HELM\'s keys, honouring stop sequences, top_k_per_token and greedy 1e-7', async () => {
    const body = { prompt: 'The capital of France is', temperature: 1e-7, num_return_sequences: 1, max_new_tokens: 12, top_p: 1, echo_prompt: false, top_k_per_token: 5, stop_sequences: [] };
    const a = await post(`${srv.url}/process`, body);
    expect(a.status).to.equal(200);
    expect(a.json).to.have.keys(['text', 'tokens', 'logprob', 'request_time']);
    expect(a.json.tokens.length).to.be.within(1, 12);
    for (const t of a.json.tokens) {
      expect(t).to.have.keys(['text', 'logprob', 'top_logprob']);
      expect(Object.keys(t.top_logprob).length).to.be.within(1, 5);
    }
    expect(a.json.tokens.map((t: { text: string }) => t.text).join('')).to.equal(a.json.text);
    const b = await post(`${srv.url}/process`, body);
    expect(b.json.text).to.equal(a.json.text);
    // a stop sequence taken from the middle of the free text cuts it there
    const text: string = a.json.text;
    const stop = text.slice(3, 5);
    const c = await post(`${srv.url}/process`, { ...body, stop_sequences: [stop] });
    expect(c.json.text).to.equal(text.slice(0, text.indexOf(stop)));
    expect(c.json.text).to.not.contain(stop);
    // the healthcheck body: only a prompt
    const h = await post(`${srv.url}/process`, { prompt: 'The capital of France is ' });
    expect(h.status).to.equal(200);
  });

  it('answers /tokenize and /decode, and rejects bad requests with a status and a message', async () => {
    const t = await post(`${srv.url}/tokenize`, { text: 'The capital', truncation: false, max_length: 2048 });
    expect(t.json).to.have.keys(['tokens', 'request_time']);
    expect(t.json.tokens[0]).to.equal(1);
    const d = await post(`${srv.url}/decode`, { tokens: t.json.tokens });
    expect(d.json).to.deep.equal({ text: 'The capital', request_time: d.json.request_time });
    expect((await post(`${srv.url}/tokenize`, { text: 'a b c d e', truncation: true, max_length: 2 })).json.tokens).to.have.length(2);
    expect((await post(`${srv.url}/process`, '{not json')).status).to.equal(400);
    const miss = await post(`${srv.url}/process`, { max_new_tokens: 3 });
    expect(miss.status).to.equal(422);
    expect(miss.json.error).to.match(/"prompt" is required/);
    expect((await post(`${srv.url}/nope`, {})).status).to.equal(404);
    expect((await post(`${srv.url}/process`, { prompt: 'x '.repeat(1100), max_new_tokens: 5 })).status).to.equal(400);
  });

  it('checks every /process field: num_return_sequences 1, temperature >= 0, top_p in (0, 1], integer counts', async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ num_return_sequences: 0 }, /field "num_return_sequences" must be an integer in \[1, 1\], got 0/],
      [{ num_return_sequences: -3 }, /"num_return_sequences" must be an integer in \[1, 1\], got -3/],
      [{ num_return_sequences: 2.5 }, /"num_return_sequences" must be an integer/],
      [{ num_return_sequences: 100000 }, /"num_return_sequences" must be an integer in \[1, 1\], got 100000/],
      [{ num_samples: 4 }, /"num_samples" must be an integer in \[1, 1\]/],
      [{ temperature: -1 }, /field "temperature" must be a number in \[0, 1000000\], got -1/],
      [{ top_p: 5 }, /field "top_p" must be a number in \[0, 1\], got 5/],
      [{ top_p: 0 }, /"top_p" must be in \(0, 1\], got 0/],
      [{ max_new_tokens: 2.5 }, /"max_new_tokens" must be an integer/],
      [{ max_new_tokens: 1e12 }, /"max_new_tokens" must be an integer in \[0, 1048576\]/],
      [{ top_k_per_token: -1 }, /"top_k_per_token" must be an integer in \[0, 100\]/],
      [{ seed: 1.5 }, /"seed" must be an integer/],
      [{ temperature: '0.5' }, /"temperature" must be a number, got "0.5"/],
    ];
    for (const [extra, msg] of bad) {
      const r = await post(`${srv.url}/process`, { prompt: 'The', max_new_tokens: 1, ...extra });
      expect(r.status, JSON.stringify(extra)).to.equal(422);
      expect(r.json.error).to.match(msg);
    }
    expect((await post(`${srv.url}/tokenize`, { text: 'x', max_length: -1 })).status).to.equal(422);
    expect((await post(`${srv.url}/decode`, { tokens: [1, -2] })).status).to.equal(422);
    expect((await post(`${srv.url}/process`, { prompt: 'The', max_new_tokens: 1, num_return_sequences: 1, temperature: 1e-7, top_p: 1 })).status).to.equal(200);
  });

  it('answers 413 to a body over the limit (the client reads the answer, its connection is not reset)', async () => {
    const r = await fetch(`${srv.url}/process`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'x'.repeat(20 * 1024 * 1024) }) });
    expect(r.status).to.equal(413);
    expect(((await r.json()) as { error: string }).error).to.match(/body of \d+ bytes is larger than the 16777216-byte limit/);
    expect((await post(`${srv.url}/tokenize`, { text: 'still here' })).status).to.equal(200);
  });

  it('a client that hangs up while its request is queued does not disturb the server', async () => {
    const long = post(`${srv.url}/process`, { prompt: 'The', max_new_tokens: 150, temperature: 1e-7, stop_sequences: [] });
    const ac = new AbortController();
    const dropped = fetch(`${srv.url}/process`, { method: 'POST', body: JSON.stringify({ prompt: 'Hi', max_new_tokens: 5 }), signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await dropped.then(
      () => undefined,
      (e) => expect((e as Error).name).to.equal('AbortError'),
    );
    expect((await long).status).to.equal(200);
    expect((await post(`${srv.url}/tokenize`, { text: 'still here' })).status).to.equal(200);
  });

  it('passes the project\'s check-server conformance checks through the challenge client', async () => {
    const client = await createBackend({ kind: 'http', protocol: 'neurips', urls: [srv.url] });
    const results = await checkServer(client);
    const failed = results.filter((r) => r.status === 'fail');
    expect(failed, JSON.stringify(failed)).to.deep.equal([]);
    expect(results.filter((r) => r.status === 'pass').length).to.be.greaterThan(3);
  });

  it('`evalfirst serve` starts, serves, and stops on SIGTERM', async function () {
    const child = spawnCli(['serve', '--model', join(dir, 'demo'), '--port', '0']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const r = await post(`${url}/tokenize`, { text: 'hi' });
    expect(r.status).to.equal(200);
    const exited = new Promise<number | null>((r2) => child.on('exit', (code) => r2(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});

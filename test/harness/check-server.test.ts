import { expect } from 'chai';
import { spawnCli } from '../helpers/run-cli.js';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../helpers/scripted-server.js';
import { checkServer } from '../../model/backends/conformance.js';
import { renderChecks } from '../../harness/commands/check-server.js';
import { NeuripsBackend } from '../../model/backends/neurips.js';
import { OpenAIBackend } from '../../model/backends/openai.js';

const fast = { timeoutMs: 5000, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } };
const natural = () => ' four, five, six. And the rest\nof the numbers';

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('evalfirst check-server', function () {
  this.timeout(60_000);
  const servers: ScriptedServer[] = [];
  const start = async (o: ScriptedServerOptions = {}) => {
    const s = await startScriptedServer({ answer: natural, addBos: true, ...o });
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const statusOf = (results: Awaited<ReturnType<typeof checkServer>>, name: string) => results.find((r) => r.name === name)?.status;

  it('passes a well-behaved challenge server (CLI, exit 0) and reports BOS and latency', async () => {
    const s = await start();
    const r = await cli(['check-server', s.url]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/PASS {2}response keys/);
    expect(r.stdout).to.match(/PASS {2}stop sequences/);
    expect(r.stdout).to.match(/PASS {2}determinism at temperature 0/);
    expect(r.stdout).to.match(/PASS {2}tokenize\/decode round trip/);
    expect(r.stdout).to.match(/INFO {2}BOS token .*adds a BOS token \(id 1\)/);
    expect(r.stdout).to.match(/INFO {2}latency .*median/);
    expect(r.stdout).to.match(/all \d+ checks passed/);
    const stopReq = s.completions().find((q) => Array.isArray(q.body.stop_sequences) && (q.body.stop_sequences as string[]).length > 0);
    expect(stopReq?.body.stop_sequences).to.deep.equal([',', '\n', '.']);
  });

  it('fails, naming the check, a server that ignores stop sequences (CLI, exit 1)', async () => {
    const s = await start({ ignoreStop: true });
    const r = await cli(['check-server', s.url]);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/FAIL {2}stop sequences .*contains "," at character 5/);
    expect(r.stdout).to.contain('1 check failed: stop sequences');
  });

  it('fails a server that answers differently to the same temperature-0 request', async () => {
    const s = await start({ nondeterministic: true });
    const results = await checkServer(new NeuripsBackend({ urls: [s.url], http: fast }));
    expect(statusOf(results, 'determinism at temperature 0')).to.equal('fail');
    expect(renderChecks(results)).to.match(/FAIL {2}determinism at temperature 0 +the same request gave two answers/);
  });

  it('fails a server that drops a required key, naming it', async () => {
    const s = await start({ fault: (c) => (c.path === '/process' ? { kind: 'drop-key', key: 'request_time' } : undefined) });
    const results = await checkServer(new NeuripsBackend({ urls: [s.url], http: fast }));
    expect(results[0]).to.include({ name: 'response keys', status: 'fail' });
    expect(results[0].detail).to.contain('missing key "request_time"');
  });

  it('fails the round trip of a server without /tokenize and without /decode', async () => {
    const s = await start({ tokenizeEndpoints: false });
    const results = await checkServer(new NeuripsBackend({ urls: [s.url], http: fast }));
    const rt = results.find((r) => r.name === 'tokenize/decode round trip')!;
    expect(rt.status).to.equal('fail');
    expect(rt.detail).to.match(/HTTP 404/);
  });

  it('checks an OpenAI-compatible server the same way', async () => {
    const s = await start({ protocol: 'openai' });
    const results = await checkServer(new OpenAIBackend({ urls: [s.url], model: 'm', http: fast }));
    expect(results.filter((r) => r.status === 'fail')).to.deep.equal([]);
    expect(statusOf(results, 'stop sequences')).to.equal('pass');
  });

  it('warns, without failing, about a server that ignores truncation (as the sample server did), and counts the warning', async () => {
    const s = await start({ ignoreTruncation: true });
    const r = await cli(['check-server', s.url]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/WARN {2}truncation .*returned \d+ tokens: the server ignores truncation, as the organisers' own sample server does; HELM's truncate_from_right then falls back to removing characters/);
    expect(r.stdout).to.match(/all \d+ checks passed; 1 warning: truncation$/m);
  });

  it("reports the model's context from GET /info and sends a prompt that fills HELM's window", async () => {
    const s = await start({ contextLength: 4096 });
    const results = await checkServer(new NeuripsBackend({ urls: [s.url], http: fast }));
    const context = results.find((r) => r.name === 'model context')!;
    expect(context).to.include({ status: 'info' });
    expect(context.detail).to.equal("the model takes 4096 tokens (prompt + generated); HELM's window is 2048 tokens");
    const longest = results.find((r) => r.name === "HELM's longest prompt")!;
    expect(longest.status, longest.detail).to.equal('pass');
    // One BOS + 2046 characters: exactly the window minus the one token to generate.
    expect(longest.detail).to.contain('a prompt of 2047 tokens + max_tokens 1');
    const sent = s.completions().find((q) => q.body.max_new_tokens === 1 && String(q.body.prompt).length > 1000);
    expect(String(sent?.body.prompt).length).to.equal(2046);
  });

  it("fails a server whose model cannot take HELM's longest prompt, naming the lengths and the context", async () => {
    const s = await start({ contextLength: 1024 });
    const r = await cli(['check-server', s.url]);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/WARN {2}model context +the model takes 1024 tokens \(prompt \+ generated\), less than HELM's 2048-token window/);
    expect(r.stdout).to.match(/FAIL {2}HELM's longest prompt +a prompt of 2047 tokens \+ max_tokens 1 = 2048 tokens \(HELM's 2048-token window\) was rejected \(the server reports a context of 1024 tokens\): .*HTTP 400.*exceeds the model's context of 1024 tokens/);
    expect(r.stdout).to.match(/1 check failed: HELM's longest prompt; 1 warning: model context/);
  });

  it('fails a server that returns more tokens than max_new_tokens', async () => {
    const s = await start({ overlong: 5 });
    const results = await checkServer(new NeuripsBackend({ urls: [s.url], http: fast }));
    const over = results.find((r) => r.name === 'max_new_tokens')!;
    expect(over.status).to.equal('fail');
    expect(over.detail).to.match(/^asked for at most 3 new tokens, got 8: /);
    expect(results.find((r) => r.name === "HELM's longest prompt")?.status).to.equal('fail'); // 1 asked, 6 came back
  });
});

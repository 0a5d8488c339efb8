import { expect } from 'chai';
import { createServer } from 'node:net';
import { ControlListenError, MAX_REPORT_BYTES, parseReport, startControlServer, tokenMatches, type ControlServer } from '../../../harness/supervisor/control-server.js';

const post = (s: ControlServer, body: string, token = s.token) =>
  fetch(`${s.url}/checkpoint`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

describe('supervisor control endpoint', function () {
  this.timeout(20_000);
  const servers: ControlServer[] = [];
  afterEach(async () => Promise.all(servers.splice(0).map((s) => s.close())));
  const start = async (address: { port: number; token: string } | null = null) => {
    const reports: unknown[] = [];
    const s = await startControlServer({ onCheckpoint: async (r) => (reports.push(r), { action: 'continue' }), status: () => ({ ok: true }) }, address);
    servers.push(s);
    return { s, reports };
  };

  it('validates every field of a report: types, sizes, no control characters, an http(s) serving_url', () => {
    expect(parseReport('{"step": 3, "path": "/runs/ckpt/checkpoint-3", "serving_url": "http://127.0.0.1:9000", "save_s": 0.5}')).to.deep.equal({
      step: 3, path: '/runs/ckpt/checkpoint-3', serving_url: 'http://127.0.0.1:9000', save_s: 0.5,
    });
    const refused: Array<[unknown, RegExp]> = [
      [{ step: -1, path: '/p' }, /"step" must be a non-negative integer, got -1/],
      [{ step: 2.5, path: '/p' }, /"step" must be a non-negative integer/],
      [{ step: '3', path: '/p' }, /"step" must be a non-negative integer, got "3"/],
      [{ step: 1, path: 7 }, /"path" must be a non-empty string, got 7/],
      [{ step: 1, path: '' }, /"path" must be a non-empty string/],
      [{ step: 1, path: '/ckpt\nSTOP target at 1.0s: forged' }, /"path" holds a control character at index 5: "\/ckpt\\nSTOP/],
      [{ step: 1, path: '/ckpt\u0000x' }, /control character at index 5/],
      [{ step: 1, path: `/${'a'.repeat(5000)}` }, /"path" is 5001 characters, more than 4096/],
      [{ step: 1, path: '/p', serving_url: 'file:///etc/passwd' }, /"serving_url" must be an http\(s\) URL/],
      [{ step: 1, path: '/p', serving_url: 'not a url' }, /"serving_url" is not a URL/],
      [{ step: 1, path: '/p', save_s: -2 }, /"save_s" must be a non-negative number/],
      [[1, 2], /body must be a JSON object/],
    ];
    for (const [body, msg] of refused) expect(parseReport(JSON.stringify(body))).to.match(msg);
    expect(parseReport('{"step":')).to.equal('body is not JSON');
  });

  it('answers 400 to an invalid report, 401 to a wrong token, 413 to an oversized body, and never calls the handler', async () => {
    const { s, reports } = await start();
    const bad = await post(s, JSON.stringify({ step: 1, path: 'a\nb' }));
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.match(/control character/);
    expect((await post(s, JSON.stringify({ step: 1, path: '/p' }), 'wrong')).status).to.equal(401);
    expect((await post(s, JSON.stringify({ step: 1, path: '/p' }), `${s.token}x`)).status).to.equal(401);
    const big = await post(s, JSON.stringify({ step: 1, path: '/p', pad: 'x'.repeat(MAX_REPORT_BYTES) }));
    expect(big.status).to.equal(413);
    expect(((await big.json()) as { error: string }).error).to.match(/larger than the 65536-byte limit/);
    expect(reports).to.deep.equal([]);
    expect((await post(s, JSON.stringify({ step: 1, path: '/p' }))).status).to.equal(200);
    expect(reports).to.have.length(1);
  });

  it('compares the bearer token in constant time over digests (any length, never a throw)', () => {
    expect(tokenMatches('Bearer abc', 'abc')).to.equal(true);
    expect(tokenMatches('Bearer abd', 'abc')).to.equal(false);
    expect(tokenMatches('Bearer abcdef', 'abc')).to.equal(false);
    expect(tokenMatches(undefined, 'abc')).to.equal(false);
    expect(tokenMatches('', 'abc')).to.equal(false);
  });

  it('listens again on a recorded address and token, and names a port another process holds', async () => {
    const first = await start();
    const { port, token } = first.s;
    await first.s.close();
    servers.splice(0);
    const again = await start({ port, token });
    expect(again.s.url).to.equal(`http://127.0.0.1:${port}`);
    expect((await post(again.s, JSON.stringify({ step: 2, path: '/p' }), token)).status).to.equal(200);
    await again.s.close();
    servers.splice(0);
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      let err: unknown;
      try {
        await start({ port, token });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ControlListenError);
      expect((err as ControlListenError).code).to.equal('EADDRINUSE');
      expect((err as Error).message).to.contain(`127.0.0.1:${port}`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});

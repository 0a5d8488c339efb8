import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlClient, controlClientFromEnv, retryBudgetS, SupervisorUnreachable } from '../../../harness/supervisor/control-client.js';
import { startControlServer, type ControlServer } from '../../../harness/supervisor/control-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** A server answering the n-th request with answers[n] ([status, body] or 'drop' to cut the connection). */
async function scriptedSupervisor(answers: Array<[number, unknown] | 'drop'>): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answers[Math.min(n++, answers.length - 1)];
      if (a === 'drop') return void req.socket.destroy();
      res.writeHead(a[0], { 'content-type': 'application/json' });
      res.end(JSON.stringify(a[1]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => n,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('supervisor control client (TypeScript trainers)', function () {
  this.timeout(30_000);

  it('keeps trying while the supervisor is down and reaches it once it listens again on the same address', async () => {
    const port = await freePort();
    const token = 'tok';
    const retries: string[] = [];
    const answer = controlClient(`http://127.0.0.1:${port}`, token, { retryS: 30, onRetry: (_ms, e) => retries.push(e) }).report(7, '/out/checkpoint-7');
    await sleep(1500); // refused connections meanwhile
    let server: ControlServer | null = null;
    const seen: unknown[] = [];
    try {
      server = await startControlServer({ onCheckpoint: async (r) => (seen.push(r), { action: 'stop' }), status: () => ({}) }, { port, token });
      expect(await answer).to.equal('stop');
    } finally {
      await server?.close();
    }
    expect(retries.length).to.be.at.least(1);
    expect(retries[0]).to.match(/ECONNREFUSED/);
    expect(seen).to.deep.equal([{ step: 7, path: '/out/checkpoint-7', serving_url: undefined }]);
  });

  it('retries dropped connections and 5xx, not 4xx', async () => {
    const flaky = await scriptedSupervisor([[503, { error: 'restarting' }], 'drop', [500, { error: 'oops' }], [200, { action: 'continue' }]]);
    try {
      expect(await controlClient(flaky.url, 't', { retryS: 30 }).report(3, '/p')).to.equal('continue');
      expect(flaky.requests()).to.equal(4);
    } finally {
      await flaky.close();
    }
    const refusing = await scriptedSupervisor([[400, { error: '"step" must be a non-negative integer' }]]);
    try {
      let err: Error | undefined;
      try {
        await controlClient(refusing.url, 't', { retryS: 30 }).report(1, '/p');
      } catch (e) {
        err = e as Error;
      }
      expect(err).to.not.be.instanceOf(SupervisorUnreachable);
      expect(err?.message).to.match(/answered HTTP 400 .*non-negative integer.* for checkpoint step 1/);
      expect(refusing.requests()).to.equal(1);
    } finally {
      await refusing.close();
    }
  });

  it('gives up after the retry budget with SupervisorUnreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    let err: unknown;
    try {
      await controlClient(url, 't', { retryS: 0.8 }).report(1, '/p');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(SupervisorUnreachable);
    expect((err as SupervisorUnreachable).waitedS).to.be.at.least(0.8);
    expect((err as Error).message).to.match(/unreachable for 1 s: ECONNREFUSED/);
    expect(Date.now() - t0).to.be.lessThan(5000);
  });

  it('reads its budget from EVALFIRST_CONTROL_RETRY_S (default 600 s) and is absent outside a supervised run', () => {
    expect(retryBudgetS({})).to.equal(600);
    expect(retryBudgetS({ EVALFIRST_CONTROL_RETRY_S: '2.5' })).to.equal(2.5);
    expect(() => retryBudgetS({ EVALFIRST_CONTROL_RETRY_S: 'soon' })).to.throw(/EVALFIRST_CONTROL_RETRY_S="soon" must be a number of seconds >= 0/);
    expect(() => retryBudgetS({ EVALFIRST_CONTROL_RETRY_S: '-1' })).to.throw(/>= 0/);
    expect(controlClientFromEnv({})).to.equal(null);
    expect(controlClientFromEnv({ EVALFIRST_CONTROL_URL: 'http://127.0.0.1:1', EVALFIRST_CONTROL_TOKEN: 't' })).to.not.equal(null);
  });
});

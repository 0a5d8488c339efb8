import { expect } from 'chai';
import { SharedRequests } from '../../../harness/supervisor/shared-requests.js';

/** A send whose completion the test controls, recording the order in which sends start. */
function controllable() {
  const started: string[] = [];
  const aborted: string[] = [];
  const release = new Map<string, (v: string) => void>();
  const send = (key: string) => (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      started.push(key);
      release.set(key, resolve);
      signal.addEventListener('abort', () => {
        aborted.push(key);
        reject(new Error(`aborted ${key}`));
      });
    });
  const finish = async (key: string) => {
    release.get(key)!(`answer ${key}`);
    await new Promise((r) => setImmediate(r));
  };
  return { started, aborted, send, finish };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('supervisor shared requests (one checkpoint, several looks)', () => {
  it('keeps at most `concurrency` in flight and gives free slots to the smallest look first', async () => {
    const c = controllable();
    const shared = new SharedRequests(2);
    const later = shared.caller();
    const first = shared.caller();
    const results: Promise<string>[] = [];
    for (const k of ['b1', 'b2', 'b3']) results.push(shared.run(k, 1, later, c.send(k)));
    for (const k of ['a1', 'a2']) results.push(shared.run(k, 0, first, c.send(k)));
    await settle();
    expect(c.started).to.deep.equal(['b1', 'b2']); // the slots were free when look 1 asked
    await c.finish('b1');
    expect(c.started).to.deep.equal(['b1', 'b2', 'a1']); // a1 before b3: look 0 is more urgent
    await c.finish('b2');
    await c.finish('a1');
    expect(c.started).to.deep.equal(['b1', 'b2', 'a1', 'a2', 'b3']);
    await c.finish('a2');
    await c.finish('b3');
    expect(await Promise.all(results)).to.deep.equal(['answer b1', 'answer b2', 'answer b3', 'answer a1', 'answer a2']);
    expect(later.sent + first.sent).to.equal(5);
    expect(shared.sentTotal).to.equal(5);
  });

  it('sends a request two looks share once, at the more urgent priority, and remembers the answer', async () => {
    const c = controllable();
    const shared = new SharedRequests(1);
    const big = shared.caller();
    const small = shared.caller();
    const blocker = shared.run('x', 5, big, c.send('x'));
    const q1 = shared.run('q', 3, big, c.send('q'));
    const z = shared.run('z', 2, big, c.send('z'));
    const q2 = shared.run('q', 0, small, c.send('q-again')); // joins q and raises it above z
    await c.finish('x');
    expect(c.started).to.deep.equal(['x', 'q']);
    await c.finish('q');
    expect(await q1).to.equal('answer q');
    expect(await q2).to.equal('answer q');
    expect(await shared.run('q', 0, small, c.send('q-third'))).to.equal('answer q'); // remembered: not sent again
    await c.finish('z');
    await Promise.all([blocker, z]);
    expect(c.started).to.deep.equal(['x', 'q', 'z']);
    expect(big.sent + small.sent).to.equal(3);
  });

  it("cancelling a look drops its queued requests and aborts in-flight ones no other look waits for", async () => {
    const c = controllable();
    const shared = new SharedRequests(2);
    const cancel = new AbortController();
    const look2 = shared.caller(cancel.signal);
    const look1 = shared.caller();
    const own = shared.run('own', 1, look2, c.send('own')).catch((e: Error) => e.message);
    const common = shared.run('common', 1, look2, c.send('common')).catch((e: Error) => e.message);
    const joined = shared.run('common', 0, look1, c.send('common'));
    const queued = shared.run('queued', 1, look2, c.send('queued')).catch((e: Error) => e.message);
    await settle();
    expect(c.started).to.deep.equal(['own', 'common']);
    cancel.abort();
    await settle();
    expect(c.aborted).to.deep.equal(['own']); // 'common' still has look 1 waiting for it
    expect(await own).to.match(/^cancelled: the adaptive evaluation was decided/);
    expect(await common).to.match(/^cancelled/);
    expect(await queued).to.match(/^cancelled/);
    await c.finish('common');
    expect(await joined).to.equal('answer common');
    expect(c.started).to.not.include('queued');
    expect(look1.sent).to.equal(1); // the one still waiting pays for the shared request
    expect(look2.sent).to.equal(0);
    expect(shared.pending()).to.equal(0);
    expect(await shared.run('later', 0, look2, c.send('later')).catch((e: Error) => e.message)).to.match(/^cancelled/);
  });

  it('does not count tokenizer calls as requests sent, and passes failures to every waiter', async () => {
    const shared = new SharedRequests(4);
    const caller = shared.caller();
    expect(await shared.run('tokenize a', -1, caller, async () => [1, 2], false)).to.deep.equal([1, 2]);
    expect(caller.sent).to.equal(0);
    const boom = () => Promise.reject(new Error('HTTP 500'));
    const [a, b] = await Promise.all([shared.run('k', 0, caller, boom).catch((e: Error) => e.message), shared.run('k', 0, shared.caller(), boom).catch((e: Error) => e.message)]);
    expect([a, b]).to.deep.equal(['HTTP 500', 'HTTP 500']);
    expect(await shared.run('k', 0, caller, async () => 'second try')).to.equal('second try'); // a failure is not remembered
  });
});

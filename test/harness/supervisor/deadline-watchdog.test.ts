import { expect } from 'chai';
import { DeadlineWatchdog, reserveFromTimings } from '../../../harness/supervisor/deadline-watchdog.js';
import type { TrainState } from '../../../core/train-schema.js';

const timing = (over: Partial<TrainState['timing']>): TrainState['timing'] => ({
  full_eval_s: null,
  seconds_per_request: null,
  full_request_count: null,
  checkpoint_save_s: 0,
  ...over,
});

describe('supervisor deadline watchdog', () => {
  it('estimates the reserve from a timed full evaluation, else from the time per request', () => {
    const margin = { fraction: 0.1, floorS: 5 };
    // Timed: 100 s + 10 s save, margin max(5, 11) = 11.
    expect(reserveFromTimings(timing({ full_eval_s: 100, checkpoint_save_s: 10, seconds_per_request: 9, full_request_count: 1000 }), margin)).to.be.closeTo(121, 1e-9);
    // Not timed: 0.5 s/request x 100 requests = 50 s, margin max(5, 5) = 5.
    expect(reserveFromTimings(timing({ seconds_per_request: 0.5, full_request_count: 100 }), margin)).to.be.closeTo(55, 1e-9);
    // Nothing measured yet: the margin floor alone.
    expect(reserveFromTimings(timing({}), margin)).to.equal(5);
  });

  it('fires once, when the time left reaches the reserve, and says both numbers', () => {
    let now = 0;
    let reserve = 10;
    const fired: string[] = [];
    const w = new DeadlineWatchdog({ deadlineS: 100, nowS: () => now, reserveS: () => reserve, onDeadline: (d) => fired.push(d) });
    now = 89.9;
    expect(w.check()).to.equal(false); // 10.1 s left > 10 s reserve
    reserve = 10.2; // a slower evaluation measured meanwhile moves the stop earlier
    expect(w.check()).to.equal(true);
    expect(fired).to.deep.equal(['10.1s left, reserve 10.2s (no checkpoint decision pending)']);
    now = 99;
    expect(w.check()).to.equal(true);
    expect(fired).to.have.length(1);
  });

  it('its timer looks at the clock until it fires, then stops', async () => {
    const t0 = Date.now();
    const nowS = () => (Date.now() - t0) / 1000;
    const fired = new Promise<string>((resolve) => {
      const w = new DeadlineWatchdog({ deadlineS: 0.3, nowS, reserveS: () => 0.2, onDeadline: resolve, intervalMs: 10 });
      w.start();
    });
    const detail = await fired;
    expect(nowS()).to.be.at.least(0.1); // not before deadline − reserve
    expect(detail).to.match(/^0\.[0-2]s left, reserve 0\.2s/);
  });

  it('a watchdog stopped before its first tick never fires, though the reserve is reached', async () => {
    let fired = 0;
    const w = new DeadlineWatchdog({ deadlineS: 0, nowS: () => 1, reserveS: () => 0, onDeadline: () => fired++, intervalMs: 5 });
    w.start();
    w.stop();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).to.equal(0);
  });
});

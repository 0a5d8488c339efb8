// `evalfirst demo`: its flags are checked before anything is written or trained (the demos
// themselves take about a minute each and are measured, not run, in the suite).
import { expect } from 'chai';
import { runCli } from '../../helpers/run-cli.js';

describe('demo command flags', () => {
  it('refuses a --steps that is not a positive integer, naming the flag (exit 2)', () => {
    const r = runCli(['demo', 'mix', '--steps', 'abc']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/--steps must be an integer >= 1, got "abc"/);
  });

  it('refuses a sweep schedule that six checkpoints do not divide (exit 2)', () => {
    const r = runCli(['demo', 'sweep', '--steps', '100', '--out', '/nonexistent/never-written']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/--steps must be a multiple of 6, got 100/);
  });
});

import { expect } from 'chai';
import { runCli } from '../helpers/run-cli.js';

describe('cli', () => {
  it('prints help listing its subcommands and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('Usage: evalfirst');
    expect(r.stdout).to.contain('start');
  });

  it('exits 2 on an unknown subcommand', () => {
    const r = runCli(['no-such-command']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/unknown command/);
  });
});

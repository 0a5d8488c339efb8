// Usage errors exit 2 in every command and subcommand (an unknown option, a missing argument).
import { expect } from 'chai';
import { buildProgram } from '../../harness/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { main } from '../../harness/cli.js';

describe('CLI usage errors', function () {
  this.timeout(120_000);
  it('every command and subcommand exits 2 on an unknown option', async () => {
    const paths: string[][] = [];
    for (const c of buildProgram().commands) {
      if (c.commands.length === 0) paths.push([c.name()]);
      for (const sub of c.commands) paths.push([c.name(), sub.name()]);
    }
    expect(paths.length).to.be.greaterThan(15);
    const silence = { error: console.error, log: console.log, write: process.stderr.write };
    console.error = () => undefined;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    const codes: Record<string, number> = {};
    try {
      for (const p of paths) codes[p.join(' ')] = await main([...p, '--no-such-option-anywhere']);
    } finally {
      console.error = silence.error;
      process.stderr.write = silence.write;
    }
    expect(Object.entries(codes).filter(([, code]) => code !== 2), 'commands not exiting 2').to.deep.equal([]);
  });

  it('a missing argument of a subcommand exits 2 (data verify, mix diff)', () => {
    expect(runCli(['data', 'verify']).status).to.equal(2);
    expect(runCli(['mix', 'diff', 'only-one']).status).to.equal(2);
  });
});

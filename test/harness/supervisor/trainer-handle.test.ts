import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptTrainer, processAlive, startTrainer } from '../../../harness/supervisor/trainer-handle.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node one-liner that writes its pid to `pidFile` (after installing its handlers), then runs `body`. */
function nodeScript(pidFile: string, body: string): string {
  return `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); ${body}`;
}
const shellCommand = (script: string) => `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`;

async function pidOnceWritten(pidFile: string): Promise<number> {
  const t0 = Date.now();
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') {
    if (Date.now() - t0 > 20_000) throw new Error(`${pidFile} never written`);
    await sleep(20);
  }
  return Number(readFileSync(pidFile, 'utf8'));
}

describe('supervisor trainer handle', function () {
  this.timeout(30_000);
  const dir = () => mkdtempSync(join(tmpdir(), 'ef-trainer-'));

  it('writes the trainer output to log files in the run directory and reports its exit', async () => {
    const d = dir();
    const t = startTrainer(shellCommand("console.log('to stdout'); console.error('to stderr'); process.exit(7)"), { cwd: d, env: process.env, logDir: d });
    expect(t.origin).to.equal('started');
    const exit = await t.exited;
    expect(exit).to.deep.equal({ code: 7, signal: null, stoppedBySupervisor: false, killed: false });
    expect(t.running()).to.equal(false);
    expect(readFileSync(join(d, 'trainer.stdout.log'), 'utf8')).to.equal('to stdout\n');
    expect(readFileSync(join(d, 'trainer.stderr.log'), 'utf8')).to.equal('to stderr\n');
  });

  it('stop: SIGTERM ends a trainer that honours it, without SIGKILL', async () => {
    const d = dir();
    const pidFile = join(d, 'pid');
    const t = startTrainer(shellCommand(nodeScript(pidFile, 'setInterval(() => {}, 1000);')), { cwd: d, env: process.env, logDir: d });
    const pid = await pidOnceWritten(pidFile);
    const exit = await t.stop(5);
    expect(exit).to.include({ stoppedBySupervisor: true, killed: false });
    expect(t.wasKilled()).to.equal(false);
    expect(processAlive(pid)).to.equal(false);
  });

  it('stop: escalates to SIGKILL of the whole group when the trainer ignores SIGTERM past the grace', async () => {
    const d = dir();
    const pidFile = join(d, 'pid');
    const script = nodeScript(pidFile, "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000);");
    // The node process is the shell's child: stopping the shell alone would leave it running.
    const t = startTrainer(`${shellCommand(script)}; echo after`, { cwd: d, env: process.env, logDir: d });
    const pid = await pidOnceWritten(pidFile);
    const exit = await t.stop(0.3);
    expect(exit).to.include({ stoppedBySupervisor: true, killed: true });
    expect(t.wasKilled()).to.equal(true);
    expect(processAlive(pid)).to.equal(false);
    expect(readFileSync(join(d, 'trainer.stdout.log'), 'utf8')).to.include('ignoring SIGTERM');
  });

  it('stop with a voluntary wait: a trainer that exits by itself in time was not stopped by the supervisor', async () => {
    const d = dir();
    const t = startTrainer(shellCommand('setTimeout(() => process.exit(0), 200);'), { cwd: d, env: process.env, logDir: d });
    const exit = await t.stop(5, 10);
    expect(exit).to.deep.equal({ code: 0, signal: null, stoppedBySupervisor: false, killed: false });
  });

  it('adopts a running trainer by pid: running until stopped, SIGKILL past the grace, then gone', async () => {
    const d = dir();
    const pidFile = join(d, 'pid');
    // A process group leader, as startTrainer makes one (here our own child, so it is reaped once killed).
    const child = spawn(process.execPath, ['-e', nodeScript(pidFile, "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);")], { detached: true, stdio: 'ignore' });
    try {
      const pid = await pidOnceWritten(pidFile);
      const t = adoptTrainer(pid, 20);
      expect(t.origin).to.equal('adopted');
      expect(t.running()).to.equal(true);
      await t.stop(0.3);
      expect(t.wasKilled()).to.equal(true);
      await t.gone;
      expect(t.running()).to.equal(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

import { expect } from 'chai';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followOutput, lineSplitter, type TrainerStream } from '../../../harness/supervisor/trainer-output.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the trainer's output followed from its log files", () => {
  it('splits chunks into lines at \\n, \\r\\n and \\r (a bar redrawn in place), dropping empty ones', () => {
    const s = lineSplitter();
    expect(s.push('step 1\nstep')).to.deep.equal(['step 1']);
    expect(s.push(' 2\r')).to.deep.equal(['step 2']);
    expect(s.push('\n 10%|█ | 1/10\r 20%|██ | 2/10\r\n\nlast')).to.deep.equal([' 10%|█ | 1/10', ' 20%|██ | 2/10']);
    expect(s.end()).to.deep.equal(['last']);
    expect(s.end()).to.deep.equal([]);
  });

  it('passes on what is written after following began, from both files, at each poll and on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ef-follow-'));
    const out = join(dir, 'trainer.stdout.log');
    const err = join(dir, 'trainer.stderr.log');
    writeFileSync(out, 'an earlier run\n'); // a resumed run does not replay it
    const seen: [string, TrainerStream][] = [];
    const f = followOutput([{ path: out, stream: 'stdout' }, { path: err, stream: 'stderr' }], (l, s) => seen.push([l, s]), 20);
    appendFileSync(out, 'step 10/40  loss 2.5\nstep 20/4');
    appendFileSync(err, 'Traceback: ünïcode\n'); // the file did not exist when following began
    await sleep(120);
    expect(seen).to.deep.equal([['step 10/40  loss 2.5', 'stdout'], ['Traceback: ünïcode', 'stderr']]);
    appendFileSync(out, '0  loss 1.9\nno newline at the end');
    f.poll();
    expect(seen.at(-1)).to.deep.equal(['step 20/40  loss 1.9', 'stdout']);
    f.stop();
    expect(seen.at(-1)).to.deep.equal(['no newline at the end', 'stdout']);
    const n = seen.length;
    appendFileSync(out, 'after stop\n');
    f.stop();
    f.poll();
    await sleep(60);
    expect(seen).to.have.length(n);
  });
});

import { expect } from 'chai';
import { STEP_LINE, trainerProgress, trainProgressLine } from '../../../harness/supervisor/training-progress.js';
import { statusLine } from '../../../reports/terminal-status.js';

describe('training progress line', () => {
  it('says step of max, loss, tokens/s over the last interval, and the time to the next checkpoint and the end', () => {
    const prev = { step: 100, loss: 1, learning_rate: 3e-3, grad_norm: 1, tokens: 100_000, elapsed_s: 20 };
    const e = { step: 120, loss: 0.81234, learning_rate: 2.97e-3, grad_norm: 1, tokens: 126_000, elapsed_s: 24 };
    const line = trainProgressLine(e, prev, { maxSteps: 3000, checkpointEvery: 250 });
    expect(line).to.equal('step 120/3000 (4%)  loss 0.8123  lr 2.97e-3  6500 tok/s  checkpoint 250 in 26.0s  end in 9m36s');
    expect(STEP_LINE.test(line)).to.equal(true);
    expect(trainProgressLine({ ...e, step: 3000 }, { ...prev, step: 2980 }, { maxSteps: 3000, checkpointEvery: 250 })).to.not.contain('checkpoint');
  });

  it('a status line redraws in place on a terminal and prints plain throttled lines elsewhere', () => {
    const out: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const s = statusLine(tty);
    s.set('step 1');
    s.log('checkpoint 1: x');
    s.set('step 2');
    s.done();
    expect(out.join('')).to.equal('\r\x1b[Kstep 1\r\x1b[Kcheckpoint 1: x\n\r\x1b[Kstep 1\r\x1b[Kstep 2\n');
    const plain: string[] = [];
    const p = statusLine({ isTTY: false, write: (x: string) => plain.push(x) } as unknown as NodeJS.WriteStream, 60_000);
    p.set('a');
    p.set('b'); // within the interval: held, then replaced
    p.set('c');
    p.log('kept'); // the latest progress not printed yet comes first
    p.log('next');
    p.set('d');
    p.done();
    expect(plain).to.deep.equal(['a\n', 'c\n', 'kept\n', 'next\n', 'd\n']);
  });
});

describe("a trainer's progress recognised in its output", () => {
  it("takes evalfirst finetune's step line as it is, a Hugging Face Trainer log as loss/lr/epoch, a tqdm bar trimmed; nothing else", () => {
    const step = 'step 12/40 (30%)  loss 2.1234  lr 5.00e-3  312 tok/s  checkpoint 20 in 4s  end in 14s';
    expect(trainerProgress(step)).to.equal(step);
    expect(trainerProgress("{'loss': 0.6931, 'grad_norm': 1.2345, 'learning_rate': 4.5e-05, 'epoch': 0.1}")).to.equal('loss 0.6931  lr 4.50e-5  grad_norm 1.234  epoch 0.10');
    expect(trainerProgress("{'loss': '0.5', 'learning_rate': '2e-05', 'epoch': '1.0'}")).to.equal('loss 0.5000  lr 2.00e-5  epoch 1.00');
    expect(trainerProgress(' 40%|████      | 400/1000 [01:10<01:45,  5.70it/s]')).to.equal('40%|████      | 400/1000 [01:10<01:45,  5.70it/s]');
    for (const other of ["{'train_runtime': 12.3, 'train_loss': 0.5}", 'checkpoint 10: /x (saved in 0.01 s)', 'supervisor: continue', 'steps 10']) expect(trainerProgress(other), other).to.equal(null);
  });
});

import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finetune, loadTokenizer, resumePoint, type FinetuneOptions } from '../../../model/train/finetune.js';
import { firstInvalidUtf8, tokenizePairs } from '../../../model/train/training-data.js';
import { SafetensorsFile } from '../../../model/formats/safetensors.js';
import { FIXTURE_ROWS, writeJsonl, writeTinyBase } from './fixture.js';

describe('finetune (QLoRA on a tiny base)', function () {
  let dir: string;
  let base: string;
  let data: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ft-'));
    base = join(dir, 'base');
    writeTinyBase(base);
    data = join(dir, 'train.jsonl');
    writeJsonl(data, FIXTURE_ROWS);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const opts = (out: string, over: Partial<FinetuneOptions> = {}): FinetuneOptions => ({
    base, data, out: join(dir, out), maxSteps: 30, batchSize: 3, lr: 1e-2, loraR: 4, loraAlpha: 8, checkpointEvery: 10, logEvery: 5, seed: 7, ...over,
  });

  it('lowers the loss and writes PEFT checkpoints', async () => {
    const res = await finetune(opts('run1', { lr: 3e-2 }));
    expect(res.stopReason).to.equal('max_steps');
    expect(res.steps).to.equal(30);
    expect(res.data).to.include({ rows: 6, used: 6, truncated: 0, skipped: 0 });
    const first = res.log[0]!.loss;
    const last = res.log[res.log.length - 1]!.loss;
    expect(last, `loss ${first} -> ${last}`).to.be.lessThan(first * 0.6);
    expect(res.checkpoints.map((p) => p.split('/').pop())).to.deep.equal(['checkpoint-10', 'checkpoint-20', 'checkpoint-30']);
    const ck = res.lastCheckpoint!;
    const cfg = JSON.parse(readFileSync(join(ck, 'adapter_config.json'), 'utf8'));
    expect(cfg).to.include({ peft_type: 'LORA', r: 4, lora_alpha: 8, task_type: 'CAUSAL_LM', use_rslora: false });
    expect(cfg.target_modules).to.have.length(7);
    const st = SafetensorsFile.open(join(ck, 'adapter_model.safetensors'));
    expect(st.info('base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight').shape).to.deep.equal([16, 4]);
    expect(st.info('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight').shape).to.deep.equal([4, 64]);
    expect(st.tensors.size).to.equal(2 * 7 * 2);
    st.close();
    expect(JSON.parse(readFileSync(join(ck, 'trainer_state.json'), 'utf8')).global_step).to.equal(30);
    expect(readdirSync(join(dir, 'run1')).filter((f) => f.startsWith('.'))).to.deep.equal([]);
  });

  it('a run stopped and resumed gives bit-identical weights and moments to an uninterrupted run', async () => {
    const withDropout = { loraDropout: 0.1, maxSteps: 12, checkpointEvery: 4 };
    const full = await finetune(opts('full', withDropout));
    const stopped = await finetune(opts('part', { ...withDropout, onCheckpoint: (step) => (step === 4 ? 'stop' : 'continue') }));
    expect(stopped.stopReason).to.equal('callback');
    expect(stopped.steps).to.equal(4);
    const resumed = await finetune(opts('part', { ...withDropout, resumeFrom: stopped.lastCheckpoint }));
    expect(resumed.steps).to.equal(12);
    for (const f of ['adapter_model.safetensors', 'optimizer.safetensors']) {
      const a = readFileSync(join(full.lastCheckpoint!, f));
      const b = readFileSync(join(resumed.lastCheckpoint!, f));
      expect(a.equals(b), f).to.equal(true);
    }
    // and the continuation really differs from a fresh run with another seed
    const other = await finetune(opts('other', { ...withDropout, seed: 8 }));
    expect(readFileSync(join(other.lastCheckpoint!, 'adapter_model.safetensors')).equals(readFileSync(join(full.lastCheckpoint!, 'adapter_model.safetensors')))).to.equal(false);
  });

  it('refuses to resume with different options', async () => {
    const first = await finetune(opts('mismatch', { maxSteps: 2, checkpointEvery: 2 }));
    let msg = '';
    try {
      await finetune(opts('mismatch', { maxSteps: 2, checkpointEvery: 2, loraR: 8, resumeFrom: first.lastCheckpoint }));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.match(/adapter has no tensor|cannot resume: r/);
  });

  it('names the file and line of a malformed JSONL row', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeJsonl(bad, [FIXTURE_ROWS[0], '{"prompt": "x", "completion": ', FIXTURE_ROWS[1]]);
    await expectError(finetune(opts('bad', { data: bad })), `${bad}:2: not valid JSON`);
    writeJsonl(bad, [FIXTURE_ROWS[0], FIXTURE_ROWS[1], { text: 'no shape' }]);
    await expectError(finetune(opts('bad', { data: bad })), `${bad}:3: expected {"prompt","completion"}`);
    writeJsonl(bad, [{ prompt: 'x', completion: 5 }]);
    await expectError(finetune(opts('bad', { data: bad })), `${bad}:1: "completion" must be a string`);
  });

  it('counts rows longer than the window as truncated or skipped', async () => {
    const long = join(dir, 'long.jsonl');
    const short = FIXTURE_ROWS.filter((r) => 'prompt' in r);
    writeJsonl(long, [...short, { prompt: 'Q: x\nA:', completion: ' blue'.repeat(40) }, { prompt: 'Q: blue'.repeat(40), completion: ' x' }]);
    const t = await finetune(opts('long-t', { data: long, maxSteps: 1, maxSeqLen: 24 }));
    expect(t.data).to.include({ rows: 6, used: 5, truncated: 1, skipped: 1 });
    const s = await finetune(opts('long-s', { data: long, maxSteps: 1, maxSeqLen: 24, overlong: 'skip' }));
    expect(s.data).to.include({ rows: 6, used: 4, truncated: 0, skipped: 2 });
  });

  it('never rewrites an existing checkpoint: a fresh start or an earlier resume point into a folder holding later ones is refused', async () => {
    const first = await finetune(opts('keep', { maxSteps: 8, checkpointEvery: 4 }));
    const adapter = join(first.lastCheckpoint!, 'adapter_model.safetensors');
    const before = `${statSync(adapter).ino}:${statSync(adapter).mtimeMs}`;
    await expectError(finetune(opts('keep', { maxSteps: 8, checkpointEvery: 4 })), `${join(dir, 'keep')} already holds checkpoint-4, checkpoint-8; continue that run with --resume latest`);
    await expectError(finetune(opts('keep', { maxSteps: 8, checkpointEvery: 4, resumeFrom: join(dir, 'keep', 'checkpoint-4') })), 'holds checkpoint-8, later than the resume point');
    expect(`${statSync(adapter).ino}:${statSync(adapter).mtimeMs}`).to.equal(before);
  });

  it('resumes from the last complete checkpoint (latest, or when a resumed supervisor asks) and reports it again first', async () => {
    const out = join(dir, 'latest');
    expect(resumePoint(out, undefined, true)).to.equal(null); // nothing yet: step 0
    expect(() => resumePoint(out, 'latest', false)).to.throw(/--resume latest: .* holds no complete checkpoint/);
    const full = await finetune(opts('latest-full', { maxSteps: 8, checkpointEvery: 4 }));
    await finetune(opts('latest', { maxSteps: 8, checkpointEvery: 4, onCheckpoint: (step) => (step === 4 ? 'stop' : 'continue') }));
    mkdirSync(join(out, 'checkpoint-6')); // an incomplete one (no trainer_state.json) is passed over
    expect(resumePoint(out, undefined, false)).to.equal(null);
    expect(resumePoint(out, undefined, true)).to.equal(join(out, 'checkpoint-4'));
    expect(resumePoint(out, 'latest', false)).to.equal(join(out, 'checkpoint-4'));
    rmSync(join(out, 'checkpoint-6'), { recursive: true });
    const reported: number[] = [];
    const resumed = await finetune(opts('latest', { maxSteps: 8, checkpointEvery: 4, resumeFrom: resumePoint(out, 'latest', false), reportResumePoint: true, onCheckpoint: (step) => (reported.push(step), 'continue') }));
    expect(reported).to.deep.equal([4, 8]);
    expect(readFileSync(join(resumed.lastCheckpoint!, 'adapter_model.safetensors')).equals(readFileSync(join(full.lastCheckpoint!, 'adapter_model.safetensors')))).to.equal(true);
  });

  it('names the line and column of invalid UTF-8 in the data instead of training on U+FFFD', async () => {
    const bad = join(dir, 'latin1.jsonl');
    const rows = [JSON.stringify(FIXTURE_ROWS[0]), JSON.stringify(FIXTURE_ROWS[1]), '{"prompt": "caf', '", "completion": " x"}'];
    writeFileSync(bad, Buffer.concat([Buffer.from(`${rows[0]}\n${rows[1]}\n${rows[2]}`), Buffer.from([0xe9]), Buffer.from(`${rows[3]}\n`)]));
    await expectError(finetune(opts('latin1', { data: bad })), `${bad}:3: not valid UTF-8 (byte 0xe9 at byte column 16)`);
    expect(firstInvalidUtf8(Buffer.from('héllo ✓ 中文 🙂'))).to.equal(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).to.equal(1); // a UTF-16 surrogate
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).to.equal(0); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]))).to.equal(1); // cut off
  });

  it('tokenizes only the start of a text far longer than the window, with the ids of the whole text', () => {
    const encode = loadTokenizer(base);
    const seen: number[] = [];
    const spy = (t: string) => (seen.push(t.length), encode(t));
    const long = 'Q: What color is the sky? A: blue. '.repeat(2000); // 70 000 characters
    const { examples, stats } = tokenizePairs([{ prompt: 'Q:', completion: long, line: 1 }], spy, 1, 2, 16, 'truncate');
    expect(Math.max(...seen)).to.be.at.most(64 * 17);
    expect(stats).to.include({ used: 1, truncated: 1 });
    expect(Array.from(examples[0]!.ids)).to.deep.equal([1, ...encode('Q:'), ...encode(long)].slice(0, 17));
  });

  it('stops on a non-finite loss, keeping the last good checkpoint', async () => {
    const res = await finetune(opts('nan', { lr: 1e30, maxGradNorm: 0, maxSteps: 20, checkpointEvery: 1, warmupSteps: 0, quant: 'none' }));
    expect(res.stopReason).to.equal('non_finite_loss');
    expect(res.error).to.match(/(loss|gradient norm) is (NaN|Infinity|-Infinity) at step \d+/);
    expect(res.steps).to.be.lessThan(20);
    expect(res.lastCheckpoint).to.equal(join(dir, 'nan', `checkpoint-${res.steps}`));
    expect(existsSync(join(res.lastCheckpoint!, 'trainer_state.json'))).to.equal(true);
  });
});

async function expectError(p: Promise<unknown>, fragment: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.include(fragment);
    return;
  }
  expect.fail(`expected an error containing ${fragment}`);
}

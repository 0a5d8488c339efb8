import { expect } from 'chai';
import { mkdtempSync, mkdirSync, writeFileSync, truncateSync, statSync, utimesSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../../../model/formats/safetensors-write.js';
import { CheckpointWatcher, completeCheckpointKind, checkpointStep } from '../../../harness/supervisor/checkpoint-watch.js';

function writeAdapter(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['q_proj'] }));
  writeSafetensors(join(dir, 'adapter_model.safetensors'), {
    'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': { dtype: 'F32', shape: [2, 8], data: new Float32Array(16).fill(0.5) },
    'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight': { dtype: 'F32', shape: [8, 2], data: new Float32Array(16) },
  });
}

describe('supervisor checkpoint discovery', () => {
  it('reads the step from the directory name or trainer_state.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-watch-'));
    expect(checkpointStep(root, 'checkpoint-500')).to.equal(500);
    const d = join(root, 'final');
    mkdirSync(d);
    writeFileSync(join(d, 'trainer_state.json'), JSON.stringify({ global_step: 42 }));
    expect(checkpointStep(d, 'final')).to.equal(42);
  });

  it('never reports a half-written checkpoint, and reports it once complete and stable', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-watch-'));
    const dir = join(root, 'checkpoint-10');
    writeAdapter(dir);
    const file = join(dir, 'adapter_model.safetensors');
    const full = statSync(file).size;
    truncateSync(file, full - 20); // the tensor data is cut short, as mid-write
    expect(completeCheckpointKind(dir)).to.equal(null);
    const got: number[] = [];
    const w = new CheckpointWatcher(root, new Set(), async (c) => void got.push(c.step));
    await w.pollOnce();
    await w.pollOnce();
    expect(got).to.deep.equal([]);
    writeAdapter(dir); // finished writing
    expect(completeCheckpointKind(dir)).to.equal('peft');
    await w.pollOnce(); // first sight of the new fingerprint: not yet stable
    expect(got).to.deep.equal([]);
    await w.pollOnce();
    expect(got).to.deep.equal([10]);
    await w.pollOnce();
    expect(got).to.deep.equal([10]); // once only
  });

  it('rejects a checkpoint whose config is not JSON', () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-watch-'));
    const dir = join(root, 'checkpoint-1');
    writeAdapter(dir);
    writeFileSync(join(dir, 'adapter_config.json'), '{"r": 2,');
    expect(completeCheckpointKind(dir)).to.equal(null);
  });

  it('ignores checkpoints an earlier run left in the folder, and says so once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-watch-'));
    const stale = join(root, 'checkpoint-20');
    writeAdapter(stale);
    const old = new Date(Date.now() - 3600_000);
    for (const f of readdirSync(stale)) utimesSync(join(stale, f), old, old);
    utimesSync(stale, old, old);
    const runStart = Date.now() - 1000;
    writeAdapter(join(root, 'checkpoint-30')); // written by this run
    const got: number[] = [];
    const log: string[] = [];
    const w = new CheckpointWatcher(root, new Set(), async (c) => void got.push(c.step), 1000, { notBeforeMs: runStart, log: (l) => log.push(l) });
    for (let i = 0; i < 3; i++) await w.pollOnce();
    expect(got).to.deep.equal([30]);
    expect(log).to.have.length(1);
    expect(log[0]).to.match(/^watch: ignoring ".*checkpoint-20": last written .*, before this run started .*: left by an earlier run$/);
  });

  it('ignores a directory with a control character in its name, or one the caller refuses (a link out)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ef-watch-'));
    writeAdapter(join(root, 'checkpoint-1\nSTOP target'));
    const outside = mkdtempSync(join(tmpdir(), 'ef-outside-'));
    writeAdapter(join(outside, 'checkpoint-2'));
    symlinkSync(join(outside, 'checkpoint-2'), join(root, 'checkpoint-2'));
    writeAdapter(join(root, 'checkpoint-3'));
    const got: number[] = [];
    const log: string[] = [];
    const w = new CheckpointWatcher(root, new Set(), async (c) => void got.push(c.step), 1000, {
      accept: (p) => (p.endsWith('checkpoint-2') ? 'it leads outside' : null),
      log: (l) => log.push(l),
    });
    for (let i = 0; i < 3; i++) await w.pollOnce();
    expect(got).to.deep.equal([3]);
    expect(log.sort()).to.deep.equal([
      `watch: ignoring ${JSON.stringify(join(root, 'checkpoint-1\nSTOP target'))}: its name holds a control character`,
      `watch: ignoring ${JSON.stringify(join(root, 'checkpoint-2'))}: it leads outside`,
    ]);
  });
});

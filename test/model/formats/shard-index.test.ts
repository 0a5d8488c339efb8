// Shard names of model.safetensors.index.json stay inside the model folder, for the runtime
// (loadHfModel: generate, serve, eval --model), the trainer (openModelTensors: finetune) and the
// checkpoint watch alike; and a folder named model.safetensors is named as such.
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { loadHfModel } from '../../../model/llama/hf-checkpoint.js';
import { openModelTensors } from '../../../model/train/tensor-io.js';
import { loadBase } from '../../../model/train/base-io.js';
import { SafetensorsFile } from '../../../model/formats/safetensors.js';
import { weightFiles } from '../../../model/formats/shard-index.js';
import { completeCheckpointKind } from '../../../harness/supervisor/checkpoint-watch.js';
import { writeTinyBase } from '../train/fixture.js';

describe('model folders: shard paths confined, a directory where a file belongs named', () => {
  let root: string;
  let base: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ef-shards-'));
    base = join(root, 'base');
    writeTinyBase(base);
  });

  /** A model folder whose index maps every tensor of the base to `shard`. */
  function indexedFolder(name: string, shard: string): string {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(base, 'config.json'), join(dir, 'config.json'));
    copyFileSync(join(base, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    const f = SafetensorsFile.open(join(base, 'model.safetensors'));
    const weightMap = Object.fromEntries([...f.tensors.keys()].map((t) => [t, shard]));
    f.close();
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    return dir;
  }

  const loaders: Array<[string, (dir: string) => unknown]> = [
    ['the runtime (loadHfModel)', (d) => loadHfModel(d)],
    ['the trainer (openModelTensors)', (d) => openModelTensors(d).close()],
    ['the trainer (loadBase)', (d) => loadBase(d, 'none')],
  ];

  it('refuses a shard outside the model folder: ../ names, absolute paths, links out', () => {
    const escapes: Array<[string, string, RegExp]> = [
      ['dotdot', '../base/model.safetensors', /shard "\.\.\/base\/model\.safetensors" refused: .*base\/model\.safetensors is outside .*dotdot \(shards must be files of the model folder\)/],
      ['absolute', '/etc/passwd', /shard "\/etc\/passwd" refused: \/etc\/passwd is outside/],
    ];
    for (const [name, shard, msg] of escapes) {
      const dir = indexedFolder(name, shard);
      for (const [who, load] of loaders) expect(() => load(dir), `${who}, ${name}`).to.throw(UserError, msg);
      writeFileSync(join(dir, 'adapter_config.json'), '{}'); // not a peft folder: an hf one, as the watch sees it
    }
    const linked = indexedFolder('linked', 'model-00001-of-00001.safetensors');
    symlinkSync(join(base, 'model.safetensors'), join(linked, 'model-00001-of-00001.safetensors'));
    for (const [who, load] of loaders) expect(() => load(linked), who).to.throw(UserError, /refused: .*linked\/model-00001-of-00001\.safetensors \(it leads to .*base\/model\.safetensors\) is outside/);
    expect(completeCheckpointKind(indexedFolder('watch-escape', '../base/model.safetensors'))).to.equal(null);
  });

  it('loads a sharded folder whose shards are its own files', () => {
    const dir = indexedFolder('inside', 'model-00001-of-00001.safetensors');
    copyFileSync(join(base, 'model.safetensors'), join(dir, 'model-00001-of-00001.safetensors'));
    const w = weightFiles(dir);
    expect(w.kind).to.equal('sharded');
    expect(Array.from(loadHfModel(dir).weights.finalNorm)).to.deep.equal(Array.from(loadHfModel(base).weights.finalNorm));
    expect(completeCheckpointKind(dir)).to.equal('hf');
  });

  it('names a folder named model.safetensors instead of failing with EISDIR', () => {
    const dir = join(root, 'dir-weights');
    mkdirSync(join(dir, 'model.safetensors'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), readFileSync(join(base, 'config.json')));
    copyFileSync(join(base, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    for (const [who, load] of loaders) expect(() => load(dir), who).to.throw(UserError, /dir-weights\/model\.safetensors: is a directory, but the model weights must be a file/);
    expect(() => SafetensorsFile.open(join(dir, 'model.safetensors'))).to.throw(UserError, /model\.safetensors: is a directory, not a file/);
  });
});

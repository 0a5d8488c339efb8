// Where an HF checkpoint's safetensors weights are: model.safetensors, or the shards that
// model.safetensors.index.json's weight_map names (huggingface/transformers modeling_utils
// load_sharded_checkpoint). A shard is a file of the model folder: each name is resolved, links
// followed, and must stay inside the folder, so an index cannot make a loader read /etc/passwd or
// another model's tensors. Every file must be a regular file (a folder named model.safetensors is
// named as such, not met with EISDIR).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { confinePath } from '../../core/confine-path.js';
import { quoteForMessage } from '../../core/safe-text.js';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export type WeightFiles =
  | { kind: 'single'; file: string }
  /** `weightMap`: tensor name → absolute shard path; `shards`: the distinct shard paths, sorted. */
  | { kind: 'sharded'; index: string; weightMap: Map<string, string>; shards: string[] };

/** Throws a UserError unless `path` is a regular file. */
export function requireFile(path: string, what: string): void {
  const st = statSync(path);
  if (st.isDirectory()) throw new UserError(`${path}: is a directory, but ${what} must be a file`);
  if (!st.isFile()) throw new UserError(`${path}: is not a regular file (${what})`);
}

/** The weight_map of an index file, every shard confined to `dir` and checked to be a file. */
export function readShardIndex(dir: string, index = join(dir, INDEX_FILE)): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(index, 'utf8'));
  } catch (e) {
    throw new UserError(`${index}: not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new UserError(`${index}: missing "weight_map" (an object of tensor name → shard file)`);
  const out = new Map<string, string>();
  const checked = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard.length === 0) throw new UserError(`${index}: tensor "${tensor}" maps to ${quoteForMessage(shard)}, not a shard file name`);
    let path = checked.get(shard);
    if (path === undefined) {
      const c = confinePath(shard, dir, [dir]);
      if (!c.ok) throw new UserError(`${index}: tensor "${tensor}": shard ${quoteForMessage(shard)} refused: ${c.reason} (shards must be files of the model folder)`);
      requireFile(c.path, `shard ${quoteForMessage(shard)}`);
      path = c.path;
      checked.set(shard, path);
    }
    out.set(tensor, path);
  }
  return out;
}

/**
 * The weight files of an HF model folder: model.safetensors, else the shards of the index (the
 * order transformers looks in), else a UserError.
 */
export function weightFiles(dir: string): WeightFiles {
  const single = join(dir, SINGLE_FILE);
  const index = join(dir, INDEX_FILE);
  if (existsSync(single)) {
    requireFile(single, 'the model weights');
    return { kind: 'single', file: single };
  }
  if (existsSync(index)) {
    requireFile(index, 'the shard index');
    const weightMap = readShardIndex(dir, index);
    return { kind: 'sharded', index, weightMap, shards: [...new Set(weightMap.values())].sort() };
  }
  throw new UserError(`${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}`);
}

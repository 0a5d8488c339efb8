// `evalfirst data mini --out DIR`: writes the instruction data (train.jsonl) and the eval splits
// (valid.jsonl, test.jsonl: one instance per line with its family) of the mini-challenge.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FAMILIES } from './families.js';
import { instructionRows } from './instructions.js';
import { DEFAULT_MINI_SEED, generateWorld } from './world.js';

function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export async function writeMiniData(outDir: string, seed = DEFAULT_MINI_SEED): Promise<string[]> {
  const world = generateWorld(seed);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const train = join(outDir, 'train.jsonl');
  await writeFile(train, jsonl(instructionRows(world)));
  written.push(train);
  for (const split of ['valid', 'test'] as const) {
    const rows = FAMILIES.flatMap((f) => f.instances(world).filter((i) => i.split === split).map((i) => ({ family: f.name, ...i })));
    const path = join(outDir, `${split}.jsonl`);
    await writeFile(path, jsonl(rows));
    written.push(path);
  }
  return written;
}

// `npm run bench [NAME...]`: runs every benchmark listed below (bench/<name>.bench.ts, each exporting
// `async function run()`), or only those named (with or without the .bench.ts suffix), one after another.
import { fileURLToPath } from 'node:url';
import { run as adaptive } from './adaptive.bench.js';
import { run as adaptiveLooks } from './adaptive-looks.bench.js';
import { run as contamination } from './contamination.bench.js';
import { run as harnessOverhead } from './harness-overhead.bench.js';
import { run as kernels } from './kernels.bench.js';
import { run as runtime } from './runtime.bench.js';
import { run as soak } from './soak.bench.js';
import { run as sweep } from './sweep.bench.js';
import { run as train } from './train.bench.js';

export const BENCHMARKS: Record<string, () => Promise<void>> = { 'adaptive': adaptive, 'adaptive-looks': adaptiveLooks, 'contamination': contamination, 'harness-overhead': harnessOverhead, 'kernels': kernels, 'runtime': runtime, 'soak': soak, 'sweep': sweep, 'train': train };

export function benchNames(names: string[]): string[] {
  const all = Object.keys(BENCHMARKS).sort();
  if (names.length === 0) return all;
  const wanted = names.map((n) => n.replace(/\.bench\.ts$/, '').replace(/^.*\//, ''));
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} (have: ${all.join(', ')})`);
  return wanted;
}

async function main(): Promise<number> {
  let files: string[];
  try {
    files = benchNames(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    console.log(`\n== ${f}`);
    const started = performance.now();
    try {
      await BENCHMARKS[f]!();
      console.log(`== ${f}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed++;
      console.error(`== ${f}: FAILED: ${(err as Error).stack ?? err}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => {
    process.exitCode = code;
  });
}

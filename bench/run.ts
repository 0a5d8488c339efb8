// `npm run bench [NAME...]`: runs every bench/*.bench.ts that exports `async function run()`, or
// only those named (with or without the .bench.ts suffix), one after another.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function benchFiles(dir: string, names: string[]): string[] {
  const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
  if (names.length === 0) return all;
  const wanted = names.map((n) => n.replace(/\.bench\.ts$/, '').replace(/^.*\//, ''));
  const unknown = wanted.filter((w) => !all.includes(`${w}.bench.ts`));
  if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} (have: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')})`);
  return wanted.map((w) => `${w}.bench.ts`);
}

async function main(): Promise<number> {
  let files: string[];
  try {
    files = benchFiles(here, process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') {
      console.log(`\n== ${f}: skipped (exports no run())`);
      continue;
    }
    console.log(`\n== ${f}`);
    const started = performance.now();
    try {
      await mod.run();
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

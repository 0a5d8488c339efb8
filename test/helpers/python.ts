// Interpreters for the tests that start the Python scoring server: one with torch (Debian's
// python3-torch is enough for the CPU test model) and one with torch, transformers and peft (for
// real transformers checkpoints; $EVALFIRST_HF_PYTHON or the local wheel venv /tmp/hfenv). Tests
// skip with the reason printed when the one they need is absent.
import { spawnSync } from 'node:child_process';

function imports(python: string, modules: string[]): boolean {
  return spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 120_000 }).status === 0;
}

const memo = new Map<string, string | null>();

function first(candidates: (string | undefined)[], modules: string[]): string | null {
  const key = `${candidates.join('|')}:${modules.join(',')}`;
  if (!memo.has(key)) memo.set(key, candidates.filter((c): c is string => !!c).find((c) => imports(c, modules)) ?? null);
  return memo.get(key)!;
}

/** A Python with torch, or null. */
export function torchPython(): string | null {
  return first(['/usr/bin/python3', 'python3'], ['torch']);
}

/** A Python with torch, transformers and peft, or null. */
export function hfPython(): string | null {
  return first([process.env.EVALFIRST_HF_PYTHON, '/tmp/hfenv/bin/python'], ['torch', 'transformers', 'peft']);
}

/** Skips the test (printing why) unless `python` was found. */
export function needPython(ctx: Mocha.Context, python: string | null, what: string): string {
  if (!python) {
    console.log(`      skipped: no interpreter with ${what} (apt-get install python3-torch; transformers/peft: set EVALFIRST_HF_PYTHON)`);
    ctx.skip();
  }
  return python as string;
}

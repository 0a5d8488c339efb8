// Locates the real benchmark files (../shared/datasets beside the checkout, or $EVALFIRST_DATA).
// Tests that need them call `requireSharedData(this)`, which skips with a visible reason when absent.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function sharedDataDir(): string | null {
  const candidates = [process.env.EVALFIRST_DATA, join(repoRoot, '..', 'shared', 'datasets')].filter(Boolean) as string[];
  return candidates.find((d) => existsSync(d)) ?? null;
}

export function requireSharedData(ctx: Mocha.Context, sub?: string): string {
  const dir = sharedDataDir();
  const target = dir && sub ? join(dir, sub) : dir;
  if (!dir || !target || !existsSync(target)) {
    const why = `skipped: real benchmark files not found (${sub ?? 'datasets'}; set EVALFIRST_DATA or place ../shared/datasets)`;
    console.log(`      ${why}`);
    ctx.skip();
  }
  return dir as string;
}

export const REPO_ROOT = repoRoot;

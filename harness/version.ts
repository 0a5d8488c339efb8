// The evalfirst version and the git commit of the checkout (when it is one), for provenance.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function findPackageJson(): { version: string; root: string } {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'evalfirst') return { version: pkg.version, root: fileURLToPath(dir) };
    } catch {
      /* keep looking upward */
    }
    dir = new URL('..', dir);
  }
  return { version: '0.0.0', root: process.cwd() };
}

const found = findPackageJson();
export const VERSION = found.version;
export const PROJECT_ROOT = found.root;

let commit: string | null | undefined;
export function gitCommit(): string | null {
  if (commit !== undefined) return commit;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    commit = null;
  }
  return commit;
}

// Where a run ran, for results.json (what lm-eval users look for in its "config"/"versions"): Node,
// OS, CPU, the evalfirst version and commit, and the installed versions of the packages it depends on.
import { readFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, VERSION, gitCommit } from './version.js';

export interface Environment {
  evalfirst: { version: string; gitCommit: string | null };
  node: string;
  os: { platform: string; release: string; arch: string };
  cpu: { model: string; cores: number };
  memoryBytes: number;
  /** Installed versions of evalfirst's runtime dependencies (package.json "dependencies"). */
  packages: Record<string, string>;
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function installedPackages(): Record<string, string> {
  const pkg = readJson(join(PROJECT_ROOT, 'package.json'));
  const deps = Object.keys((pkg?.dependencies as Record<string, string> | undefined) ?? {}).sort();
  const out: Record<string, string> = {};
  for (const name of deps) {
    const installed = readJson(join(PROJECT_ROOT, 'node_modules', name, 'package.json'));
    out[name] = typeof installed?.version === 'string' ? installed.version : 'not installed';
  }
  return out;
}

let memo: Environment | undefined;

export function environment(): Environment {
  if (memo) return memo;
  const cpu = cpus();
  memo = {
    evalfirst: { version: VERSION, gitCommit: gitCommit() },
    node: process.version,
    os: { platform: platform(), release: release(), arch: arch() },
    cpu: { model: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length },
    memoryBytes: totalmem(),
    packages: installedPackages(),
  };
  return memo;
}

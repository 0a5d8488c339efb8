// The layer rules of ARCHITECTURE.md: dependency-cruiser with .dependency-cruiser.cjs (imports go down
// or sideways, never up; nothing imports the CLI; no circles), and static imports only in product code.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './helpers/shared-data.js';

const PRODUCT = ['core', 'kernels', 'model', 'tasks', 'harness', 'reports'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture (ARCHITECTURE.md)', function () {
  this.timeout(120_000);

  it('has no upward imports, no imports of the CLI and no circles (dependency-cruiser)', () => {
    const bin = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');
    const r = spawnSync(bin, [...PRODUCT, 'bench', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).to.equal(0);
  });

  it('product code imports modules by name only (no import(expression), no "not part of this build" guards)', () => {
    const offenders: string[] = [];
    for (const f of PRODUCT.flatMap((d) => tsFiles(join(REPO_ROOT, d)))) {
      const text = readFileSync(f, 'utf8');
      text.split('\n').forEach((line, i) => {
        const where = `${relative(REPO_ROOT, f)}:${i + 1}`;
        // import('node:...') type positions and literal specifiers are static; anything else is not.
        for (const m of line.matchAll(/\bimport\(\s*([^)]*)\)/g)) if (!/^['"][^'"]+['"]$/.test(m[1]!.trim())) offenders.push(`${where}: ${line.trim()}`);
        if (/await import\(/.test(line)) offenders.push(`${where}: ${line.trim()}`);
        if (/not part of this build/.test(line)) offenders.push(`${where}: ${line.trim()}`);
      });
    }
    expect(offenders, offenders.join('\n')).to.deep.equal([]);
  });

  it('the CLI lists every command file (harness/commands/*.ts)', () => {
    const cli = readFileSync(join(REPO_ROOT, 'harness', 'cli.ts'), 'utf8');
    const missing = readdirSync(join(REPO_ROOT, 'harness', 'commands'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => !cli.includes(`from './commands/${f.replace(/\.ts$/, '.js')}'`));
    expect(missing, 'not imported by harness/cli.ts').to.deep.equal([]);
  });
});

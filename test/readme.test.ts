// The README is what a new user runs first: its Quick start stays the two commands, it says how to
// run the CLI without `evalfirst` on PATH, and every example command line exists as written (the
// subcommands and flags it uses are the CLI's own, read from harness/cli.ts's program).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../harness/cli.js';
import { REPO_ROOT } from './helpers/shared-data.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The lines of the fenced code blocks, with `\` continuations joined. */
function codeLines(md: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  let pending = '';
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock) continue;
    const joined = pending + line.trim();
    if (joined.endsWith('\\')) pending = `${joined.slice(0, -1)} `;
    else {
      out.push(joined);
      pending = '';
    }
  }
  return out;
}

/** Shell words of a command line: quotes kept together, a `#` comment dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"[^"]*"|'[^']*'|#.*$|\S+/g)) {
    if (m[0].startsWith('#')) break;
    out.push(m[0]);
  }
  return out;
}

/** The subcommand a command line names, and the flags it passes that this command does not know. */
function unknownParts(args: string[]): { command: string; unknown: string[] } {
  let cmd: Command = buildProgram();
  const known = new Set<string>(['--help', '-h', ...cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x))]);
  const path: string[] = [];
  const unknown: string[] = [];
  for (const a of args) {
    const sub = a.startsWith('-') ? undefined : cmd.commands.find((c) => c.name() === a);
    if (sub && unknown.length === 0) {
      cmd = sub;
      path.push(a);
      for (const o of sub.options) for (const f of [o.long, o.short]) if (f) known.add(f);
      continue;
    }
    if (!a.startsWith('-')) continue;
    const flag = a.split('=')[0]!;
    if (!known.has(flag)) unknown.push(flag);
  }
  if (path.length === 0) unknown.push(`(no subcommand in "${args.join(' ')}")`);
  return { command: path.join(' '), unknown };
}

describe('README', () => {
  it('Quick start is exactly the two commands', () => {
    const quick = README.match(/## Quick start\n\n```bash\n([\s\S]*?)```/);
    expect(quick, 'a "## Quick start" section with a bash block').to.not.equal(null);
    expect(quick![1]).to.equal('npm ci && npm start\nnpm ci && npm test\n');
  });

  it('says, right after Quick start, to run commands as `npx evalfirst …` (or `npm link` once)', () => {
    const after = README.split('## Quick start')[1]!.split('\n## ')[0]!;
    expect(after).to.match(/Run commands as `npx evalfirst …`/);
    expect(after).to.match(/`npm link` once to put `evalfirst` on\s+PATH/);
  });

  it('writes every example command as `npx evalfirst …`, never as a bare `evalfirst …` (not on PATH after `npm ci`)', () => {
    const bare = codeLines(README).filter((l) => /^evalfirst\s/.test(l));
    expect(bare).to.deep.equal([]);
    const prose = README.split('\n').filter((l) => !l.startsWith('#')).flatMap((l) => [...l.matchAll(/(?<!npx )`evalfirst [a-z][\w-]* [^`]*`/g)].map((m) => m[0]));
    expect(prose, 'inline commands with arguments').to.deep.equal([]);
  });

  it('every `npx evalfirst` example uses subcommands and flags the CLI has', () => {
    const lines = codeLines(README).filter((l) => l.startsWith('npx evalfirst '));
    const inline = [...README.matchAll(/`npx evalfirst ([^`]+)`/g)].map((m) => `npx evalfirst ${m[1]}`).filter((l) => !l.includes('…'));
    expect(lines.length).to.be.at.least(15);
    const problems = [...lines, ...inline].map((l) => ({ line: l, ...unknownParts(words(l).slice(2)) })).filter((p) => p.unknown.length > 0);
    expect(problems).to.deep.equal([]);
  });
});

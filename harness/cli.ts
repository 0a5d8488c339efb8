// The `evalfirst` command line. Each subcommand lives in harness/commands/<name>.ts and exports
// `command(): Command` (commander); this file discovers them so adding one touches nothing else.
import { Command, CommanderError } from 'commander';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, extname } from 'node:path';
import { UserError } from '../core/errors.js';
import { VERSION } from './version.js';

export interface CommandModule {
  command(): Command;
}

async function loadCommands(): Promise<Command[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const ext = extname(fileURLToPath(import.meta.url)); // .ts under tsx, .js when compiled
  const dir = join(here, 'commands');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort();
  const commands: Command[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Partial<CommandModule>;
    if (typeof mod.command === 'function') commands.push(mod.command());
  }
  return commands;
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('evalfirst')
    .description('Evaluation-first harness for LLM fine-tuning: HELM-exact challenge suites, embedded LLaMA runtime, checkpoint supervision.')
    .version(VERSION)
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError()
    .exitOverride();
  for (const c of await loadCommands()) program.addCommand(c.exitOverride());
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  process.exitCode = 0;
  try {
    const program = await buildProgram();
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version land here with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      console.error(`evalfirst: ${err.message}`);
      if (debug) console.error(err.stack);
      return err.exitCode;
    }
    console.error(`evalfirst: internal error: ${(err as Error).message}`);
    if (debug) console.error((err as Error).stack);
    else console.error('(run with --debug for a stack trace)');
    return 70;
  }
}

// Allow `node --import tsx harness/cli.ts ...` during development and in tests.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

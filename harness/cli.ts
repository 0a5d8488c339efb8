// The `evalfirst` command line: one file per subcommand in harness/commands/<name>.ts, each exporting
// `command(): Command` (commander), listed here. The CLI is the roof: nothing else imports it.
import { Command, CommanderError } from 'commander';
import { fileURLToPath } from 'node:url';
import { EXIT, isUserError } from '../core/errors.js';
import { VERSION } from './version.js';
import { command as checkServerCommand } from './commands/check-server.js';
import { command as compareCommand } from './commands/compare.js';
import { command as dataCommand } from './commands/data.js';
import { command as demoCommand } from './commands/demo.js';
import { command as evalCommand } from './commands/eval.js';
import { command as explainCommand } from './commands/explain.js';
import { command as finetuneCommand } from './commands/finetune.js';
import { command as gateCommand } from './commands/gate.js';
import { command as generateCommand } from './commands/generate.js';
import { command as leaderboardCommand } from './commands/leaderboard.js';
import { command as mixCommand } from './commands/mix.js';
import { command as modelsCommand } from './commands/models.js';
import { command as pretrainBaseCommand } from './commands/pretrain-base.js';
import { command as reportCommand } from './commands/report.js';
import { command as serveCommand } from './commands/serve.js';
import { command as startCommand } from './commands/start.js';
import { command as sweepCommand } from './commands/sweep.js';
import { command as trainCommand } from './commands/train.js';

const COMMANDS: (() => Command)[] = [checkServerCommand, compareCommand, dataCommand, demoCommand, evalCommand, explainCommand, finetuneCommand, gateCommand, generateCommand, leaderboardCommand, mixCommand, modelsCommand, pretrainBaseCommand, reportCommand, serveCommand, startCommand, sweepCommand, trainCommand];

/** Every command and subcommand throws instead of exiting, so usage errors become exit code 2 (main). */
function withExitOverride(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) withExitOverride(sub);
  return command;
}

export function buildProgram(): Command {
  const program = new Command('evalfirst')
    .description('Evaluation-first harness for LLM fine-tuning: HELM-exact challenge suites, embedded LLaMA runtime, checkpoint supervision.')
    .version(VERSION)
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError()
    .exitOverride();
  for (const make of COMMANDS) program.addCommand(withExitOverride(make()));
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  process.exitCode = 0;
  try {
    const program = buildProgram();
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version land here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUserError(err)) {
      console.error(`evalfirst: ${err.message}`);
      if (debug) console.error(err.stack);
      return err.exitCode;
    }
    console.error(`evalfirst: internal error: ${(err as Error).message}`);
    if (debug) console.error((err as Error).stack);
    else console.error('(run with --debug for a stack trace)');
    return EXIT.internal;
  }
}

// Allow `node --import tsx harness/cli.ts ...` during development and in tests.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

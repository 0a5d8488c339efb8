// `evalfirst explain RUN_A RUN_B`: why two runs' numbers differ.
import { Command } from 'commander';
import { loadRunDir } from '../../core/run-dir.js';
import { explainRuns, renderExplain } from '../explain/explain.js';

export function command(): Command {
  return new Command('explain')
    .description("why two runs' numbers differ: version, config, backend, tokenizer, prompts (first differing character), few-shot, decoding, dataset checksums")
    .argument('<run_a>', 'first run directory')
    .argument('<run_b>', 'second run directory')
    .option('--json', 'print the explanation as JSON')
    .action(async (runA: string, runB: string, opts: { json?: boolean }) => {
      const [a, b] = await Promise.all([loadRunDir(runA), loadRunDir(runB)]);
      const report = explainRuns(a, b);
      console.log(opts.json ? JSON.stringify(report, null, 2) : renderExplain(report));
    });
}

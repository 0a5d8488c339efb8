// `evalfirst leaderboard FILE...`: ranks entries as the organisers did (challenge.md §1.6).
import { Command, Option } from 'commander';
import { missingColumns, rankEntries, renderLeaderboardTable, type LeaderboardRule } from '../../reports/leaderboard.js';
import { loadEntries } from '../../reports/leaderboard/inputs.js';
import { UserError } from '../../core/errors.js';
import { colorWanted } from '../../reports/terminal-style.js';

export function command(): Command {
  return new Command('leaderboard')
    .description(
      "rank a track's entries as the NeurIPS 2023 LLM Efficiency Challenge did: per-metric win rate, mean per scenario, " +
        'geometric mean, final = 1/3 open + 2/3 hidden',
    )
    .argument(
      '<files...>',
      'evalfirst results.json files ("NAME=PATH" names the entry; files with the same name are merged) ' +
        "or the organisers' result files (a list of [entry_name, {metric: value}])",
    )
    .addOption(new Option('--rule <rule>', 'ranking rule').choices(['final', 'hidden-round', 'open-round']).default('final'))
    .option('--json', 'print a JSON list of {entry, score_open, score_hidden, score_full, scenarios}')
    .action((files: string[], opts: { json?: boolean; rule: LeaderboardRule }) => {
      if (files.length === 0) throw new UserError('leaderboard: give at least one results file');
      const entries = loadEntries(files);
      const rows = rankEntries(entries, opts.rule);
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      console.log(renderLeaderboardTable(rows, { color: colorWanted(process.stdout) }));
      for (const [column, lacking] of missingColumns(entries, opts.rule)) {
        const who = lacking.length === entries.length ? 'every entry' : lacking.join(', ');
        console.error(`note: "${column}" missing for ${who}; counted as the worst value, as the organisers did`);
        for (const e of entries) if (e.notes?.[column] && lacking.includes(e.name)) console.error(`  ${e.name}: ${e.notes[column]}`);
      }
    });
}

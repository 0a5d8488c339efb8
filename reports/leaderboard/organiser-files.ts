// The organisers' published result files the leaderboard reproduces (perlitz/private-helm
// neurIPS_eval_scripts/meta_analysis/results), as ../shared/datasets/leaderboard holds them.
import { checkedPin, githubRaw, type DataSource } from '../../tasks/data-source.js';

const COMMIT = 'd1777be21842a619a7866ba667280c8472004f17'; // perlitz/private-helm meta-analysis

const CHECKSUMS: Record<string, readonly [string, number]> = {
  '4090_full_ranks_final_round.json': ['12702772b81822187d2c8d7f247730401f6e69a94b992d062904828bacef89e9', 18828],
  '4090_hidden_round_rank.json': ['1e75be5ee8b822132e92b905e0cc2ba3508bfbdb766319e2880e1b6d50064277', 66356],
  '4090_open_round_rank.json': ['b156e66a84f23caea35419877ef641e7b05e917f7c41f4ff9690ac76b2c396b7', 42229],
  'A100_full_ranks_final_round.json': ['bb89d2d75733e2e5d975bca80047f3d5ecf258c1a24898590ab133c400e220b2', 21788],
  'A100_hidden_round_rank.json': ['e869c8e654d0293ab6d0389228f69e1e6a97f56e21159a8c63b676038119997b', 71747],
  'A100_open_round_rank.json': ['37e40fefc1ba782c36a2122cc8714892d263845539b02b94fe9c3bc0025ba596', 47857],
};

/** `data fetch leaderboard`: files under leaderboard/ in the data dir. */
export const ORGANISER_RESULTS_DATA: DataSource = {
  name: 'leaderboard',
  pins: Object.keys(CHECKSUMS).map((f) =>
    checkedPin(`leaderboard/${f}`, githubRaw('perlitz/private-helm', COMMIT, `neurIPS_eval_scripts/meta_analysis/results/${f}`), CHECKSUMS[f]!),
  ),
};

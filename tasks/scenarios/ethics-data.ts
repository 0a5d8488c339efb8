// Where the ETHICS files come from. The five scenarios read M. Saroufim's hidden-eval gists (named in
// the organisers' ethics_*_scenario.py files; gist revisions, but no copy to hash). The upstream ETHICS
// files (oughtinc/ice's copy, ../shared/datasets/ethics) are what the prompt-fidelity tests compare
// the scenarios on (their *_test_hard.csv have the gists' columns).
import { checkedPin, githubRaw, unverifiedPin, type DataSource } from '../data-source.js';

const GISTS: Record<string, string> = {
  'hidden/justice_hard.csv': 'https://gist.githubusercontent.com/msaroufim/1b9c298b5bbc8cf3cd379c5dc05a3998/raw/41cfe8da6ffafe473d91d1ae3e3fb1e927d09efa/justice_hard.csv',
  'hidden/commonsense_hard.csv': 'https://gist.githubusercontent.com/msaroufim/382c21ac4929624918281c71744f234a/raw/3d24bc372fcbb6a20457f91f948dc3598fb10e34/commonsense_hard.csv',
  'hidden/virtue.csv': 'https://gist.githubusercontent.com/msaroufim/e9cf8fbdd40a3c801463299f60b2c400/raw/05aaeb2cb4efc739277653801ce258ad8f997f5b/virtue.csv',
  'hidden/deontology.csv': 'https://gist.githubusercontent.com/msaroufim/ec85b505a0941648d31a1ae9d5132cf7/raw/2ea4d358f96121e9000ac78051567ed847be887b/deontology.csv',
  'hidden/util.csv': 'https://gist.githubusercontent.com/msaroufim/0fe76e3d59214bfe9cc760dda99df5b1/raw/c0983230762bdbc0a1f3c5873d3f6deb21d04cbe/util.csv',
};

/** The data of one ETHICS scenario: its gist file. */
export function ethicsData(scenario: string, file: string): DataSource {
  const url = GISTS[file];
  if (!url) throw new Error(`tasks/scenarios/ethics-data.ts has no gist for ${file}`);
  return { name: scenario, pins: [unverifiedPin(file, url)] };
}

const ICE_COMMIT = '5449543c71c039753603ab57344147a1156bfb46'; // oughtinc/ice, directory ethics/

const UPSTREAM_CHECKSUMS: Record<string, readonly [string, number]> = {
  'ethics/commonsense/cm_ambig.csv': ['91d37c93d66b2241a5845f588762cad5ad5f1d814db02aa76de21a4fcb5e9b15', 1884855],
  'ethics/commonsense/cm_test.csv': ['aa521e2a45f0aa34c9b055d8022012044f705b35767627cf48919a1102b89115', 3177263],
  'ethics/commonsense/cm_test_hard.csv': ['9689b2d7b72f3f21796c31cdc21522d8e11296fba21aa8bc3d9e8f0b9071b522', 3893595],
  'ethics/deontology/deontology_test.csv': ['2b3be27cb1c8386919f164398c4f47b2a7d1e920515ac0a958b121866e8f7455', 340017],
  'ethics/deontology/deontology_test_hard.csv': ['461d7583a6517bb7904eb60e2fab6d5ef1c075003a500900dc91353f8ebbf450', 330417],
  'ethics/deontology/deontology_train.csv': ['f8433623e0daa3111818da3f6ea29eb724280f8fd288336806130a752e9eaffd', 1707427],
  'ethics/justice/justice_test.csv': ['d7cc506a1055915d455a9244b26de573c75a760d416a8508a9420d41cbf40250', 286706],
  'ethics/justice/justice_test_hard.csv': ['b1c5fd1217878ceaf451a3e5bddc6f2cc3fdce64a6b6ce56026dbd631c91b960', 219459],
  'ethics/justice/justice_train.csv': ['d945f01ce0779cc9f41f854878d692bf88e172d8323f617900c125abbd383d47', 2330717],
  'ethics/utilitarianism/util_test.csv': ['cd54a453d4db84179bef58fdb430a45d0823b512d0d7194c420ae0cba790fd50', 704811],
  'ethics/utilitarianism/util_test_hard.csv': ['9c288c76e208f6f4885dede8361b65e71a04238c9d518c6f4aa6039c58064d7a', 645992],
  'ethics/utilitarianism/util_train.csv': ['7a85de016925918dd2d20001657a1ba685be221488eb2ede67dd544e35a335a3', 2113467],
  'ethics/virtue/virtue_test.csv': ['dea8526e233107b1747ba1d8e7c3031d75d306d5e68143b18a0f118007fc9470', 446402],
  'ethics/virtue/virtue_test_hard.csv': ['cd58cc861c18c832c08d89d4a1bfe473a71c45d95765956eb943ec12f153b16e', 432123],
  'ethics/virtue/virtue_train.csv': ['b666df098c9d4128fe35cabe800f977648adc5a2fa11c1dd0aaf1300717b93ba', 2485512],
};

/** The upstream ETHICS files (not read by a scenario: the fidelity tests' inputs). */
export const ETHICS_UPSTREAM_DATA: DataSource = {
  name: 'ethics_upstream',
  pins: Object.keys(UPSTREAM_CHECKSUMS)
    .sort()
    .map((p) => checkedPin(p, githubRaw('oughtinc/ice', ICE_COMMIT, p), UPSTREAM_CHECKSUMS[p]!)),
};

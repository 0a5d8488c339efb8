// Where every benchmark file evalfirst reads comes from, and how to check it. A pin names the file's
// path under the data dir (the layout of ../shared/datasets), the URL it is downloaded from, and,
// where known, its sha256 and size (from ../shared/datasets/SHA256SUMS: files copied byte-for-byte
// from the commits below) or its upstream git blob id. A pin with neither is "unverified": fetched
// and used, but reported as such (the organisers' gists, BIG-bench on `main`, HELM's GCS files).
import { SHARED_CHECKSUMS } from './shared-checksums.js';
import { UserError } from '../../core/errors.js';
import { BBQ_CATEGORIES } from '../../tasks/scenarios/bbq.js';
import { ETHICS } from '../../tasks/scenarios/ethics.js';
import { AUGMENTATION_RESOURCES } from '../../tasks/augment/resources.js';
import { PUNKT_FILES, PUNKT_TAB_DIR } from '../../tasks/text/punkt-params.js';

export interface FilePin {
  /** Path under the data dir, '/'-separated. */
  path: string;
  /** Direct download URL, or null when the file only comes inside an archive (see `source`). */
  url: string | null;
  sha256: string | null;
  /** Upstream git blob id (sha1 of "blob <n>\0" + bytes), for files known only by blob id. */
  gitBlobSha1?: string;
  bytes: number | null;
  /** Where the file comes from, when `url` cannot say it (archive members). */
  source?: string;
}

export type PinTable = Record<string, FilePin[]>;

const RAW = 'https://raw.githubusercontent.com';
const GSM_COMMIT = '3101c7d5072418e28b9008a6636bde82a006892c';
const TRUTHFULQA_COMMIT = 'd71c110897f5d31c5d7f309e7bc316c152f6f031';
const BBQ_COMMIT = 'bea11bd97d79217245b5871acd247b9d6eb24598';
const ETHICS_COMMIT = '5449543c71c039753603ab57344147a1156bfb46'; // oughtinc/ice, directory ethics/
const LEADERBOARD_COMMIT = 'd1777be21842a619a7866ba667280c8472004f17'; // perlitz/private-helm meta-analysis
/**
 * nltk_data's punkt_tab package (nltk's Punkt parameters as text files; nltk >= 3.8.2 reads it). Not
 * pinned to a commit or checksum: none could be fetched or measured when this pin was written, so the
 * archive and its members are "unverified" (fetched, used, and reported as such).
 */
export const PUNKT_TAB_ZIP_URL = `${RAW}/nltk/nltk_data/gh-pages/packages/tokenizers/punkt_tab.zip`;

/** Upstream blob ids of the five BBQ files too large for ../shared/datasets (its README). */
const BBQ_MISSING_BLOBS: Record<string, string> = {
  Gender_identity: 'dc79ceaaa9e7126edc99a200d632899c50274b16',
  Race_ethnicity: '68daf3d692b27a10596772b3b15742b26f0b110e',
  Race_x_SES: '905cd8a5b8734e2063fe524e69a38f0a71c75907',
  Race_x_gender: 'dd09a905b284690445d36259d675243950fa0bd7',
  SES: '78d11ffbdb70f501617345e5c697d00045d57c29',
};

/** The organisers' hidden-eval gists (perlitz/private-helm neurips_eval_good scenario files). */
const GISTS: Record<string, string> = {
  'hidden/samsum.tsv': 'https://gist.githubusercontent.com/msaroufim/3f1845a5d93b50d849c42b7baeb2f716/raw/11c2d1814a69bb2cfa54549eaa50c0dcc104b9e5/samsum.tsv',
  'hidden/corr2cause.csv': 'https://gist.githubusercontent.com/msaroufim/2835e9a27490bb183de86c54c0614169/raw/4160842cd2574716355a5fe9134387a20baed9f8/corr2cause.csv',
  'hidden/commonsense_hard.csv': 'https://gist.githubusercontent.com/msaroufim/382c21ac4929624918281c71744f234a/raw/3d24bc372fcbb6a20457f91f948dc3598fb10e34/commonsense_hard.csv',
  'hidden/justice_hard.csv': 'https://gist.githubusercontent.com/msaroufim/1b9c298b5bbc8cf3cd379c5dc05a3998/raw/41cfe8da6ffafe473d91d1ae3e3fb1e927d09efa/justice_hard.csv',
  'hidden/deontology.csv': 'https://gist.githubusercontent.com/msaroufim/ec85b505a0941648d31a1ae9d5132cf7/raw/2ea4d358f96121e9000ac78051567ed847be887b/deontology.csv',
  'hidden/virtue.csv': 'https://gist.githubusercontent.com/msaroufim/e9cf8fbdd40a3c801463299f60b2c400/raw/05aaeb2cb4efc739277653801ce258ad8f997f5b/virtue.csv',
  'hidden/util.csv': 'https://gist.githubusercontent.com/msaroufim/0fe76e3d59214bfe9cc760dda99df5b1/raw/c0983230762bdbc0a1f3c5873d3f6deb21d04cbe/util.csv',
};

/** BIG-bench tasks of the challenge confs (open 600/2000) and of the starter kit's run_specs.conf. */
export const BIG_BENCH_TASKS: [string, string][] = [
  ...[
    'auto_debugging',
    'code_line_description',
    'emoji_movie',
    'formal_fallacies_syllogisms_negation',
    'known_unknowns',
    'linguistics_puzzles',
    'logic_grid_puzzle',
    'novel_concepts',
    'operators',
    'play_dialog_same_or_different',
    'repeat_copy_logic',
    'strategyqa',
    'vitaminc_fact_verification',
    'winowhy',
    'analytic_entailment',
    'causal_judgment',
    'empirical_judgments',
    'snarks',
    'dark_humor_detection',
  ].map((t): [string, string] => [t, '']),
  ...['contradictions', 'emergent_properties', 'fanciful_fictional_combinations', 'homonyms', 'invented_words'].map(
    (s): [string, string] => ['conceptual_combinations', s],
  ),
  ...['three_objects', 'five_objects', 'seven_objects'].map((s): [string, string] => ['logical_deduction', s]),
  ...['boolean', 'multiple_choice'].map((s): [string, string] => ['strange_stories', s]),
  ...['adversarial', 'emoji_agnostic', 'name_agnostic', 'plain', 'tricky'].map((s): [string, string] => ['symbol_interpretation', s]),
];

/** A pin whose checksum comes from ../shared/datasets/SHA256SUMS. */
function shared(path: string, url: string | null, source?: string): FilePin {
  const c = SHARED_CHECKSUMS[path];
  if (!c) throw new Error(`harness/data/checksums.ts has no entry for ${path}`);
  return { path, url, sha256: c[0], bytes: c[1], ...(source ? { source } : {}) };
}

function unverified(path: string, url: string): FilePin {
  return { path, url, sha256: null, bytes: null };
}

function mmluPins(): FilePin[] {
  return Object.keys(SHARED_CHECKSUMS)
    .filter((p) => /^mmlu\/data\/(dev|val|test)\//.test(p))
    .sort()
    .map((p) => shared(p, null, `member ${p.slice('mmlu/'.length)} of https://people.eecs.berkeley.edu/~hendrycks/data.tar (HELM's source)`));
}

export function buildPins(): PinTable {
  const ethicsUpstream = Object.keys(SHARED_CHECKSUMS)
    .filter((p) => p.startsWith('ethics/'))
    .sort()
    .map((p) => shared(p, `${RAW}/oughtinc/ice/${ETHICS_COMMIT}/${p}`));
  return {
    mmlu: mmluPins(),
    truthful_qa: [shared('truthfulqa/data/v1/TruthfulQA.csv', `${RAW}/sylinrl/TruthfulQA/${TRUTHFULQA_COMMIT}/data/v1/TruthfulQA.csv`)],
    gsm: ['train', 'test'].map((s) => shared(`gsm8k/${s}.jsonl`, `${RAW}/openai/grade-school-math/${GSM_COMMIT}/grade_school_math/data/${s}.jsonl`)),
    bbq: BBQ_CATEGORIES.map((c) => {
      const path = `bbq/data/${c}.jsonl`;
      const url = `${RAW}/nyu-mll/BBQ/${BBQ_COMMIT}/data/${c}.jsonl`;
      return SHARED_CHECKSUMS[path] ? shared(path, url) : { path, url, sha256: null, gitBlobSha1: BBQ_MISSING_BLOBS[c], bytes: null };
    }),
    big_bench: BIG_BENCH_TASKS.map(([t, s]) => {
      const rel = s ? `${t}/${s}` : t;
      return unverified(`bigbench/benchmark_tasks/${rel}/task.json`, `${RAW}/google/BIG-bench/main/bigbench/benchmark_tasks/${rel}/task.json`);
    }),
    // HELM's pickle; its records are read without Python (tasks/scenarios/summarization-cnndm.ts).
    summarization_cnndm: [unverified('cnndm/cnndm.pk', 'https://storage.googleapis.com/crfm-helm-public/source_datasets/scenarios/summarization_scenario/cnndm.pk')],
    sam_sum: [unverified('hidden/samsum.tsv', GISTS['hidden/samsum.tsv'])],
    corr2cause: [unverified('hidden/corr2cause.csv', GISTS['hidden/corr2cause.csv'])],
    ...Object.fromEntries(ETHICS.map((d) => [d.name, [unverified(d.file, GISTS[d.file])]])),
    ethics_upstream: ethicsUpstream,
    // Unpacked from PUNKT_TAB_ZIP_URL by `data fetch punkt_tab` (harness/data/archive.ts).
    punkt_tab: PUNKT_FILES.map((f) => ({
      path: `${PUNKT_TAB_DIR}/english/${f}`,
      url: null,
      sha256: null,
      bytes: null,
      source: `member punkt_tab/english/${f} of ${PUNKT_TAB_ZIP_URL} (unverified)`,
    })),
    // HELM's augmentation word lists, as the augmentation code declares them (tasks/augment/resources.ts).
    helm_perturbations: AUGMENTATION_RESOURCES.map((r) => ({
      path: r.path,
      url: r.url,
      sha256: r.sha256,
      bytes: SHARED_CHECKSUMS[r.path]?.[1] ?? null,
    })),
    leaderboard: Object.keys(SHARED_CHECKSUMS)
      .filter((p) => p.startsWith('leaderboard/'))
      .sort()
      .map((p) => shared(p, `${RAW}/perlitz/private-helm/${LEADERBOARD_COMMIT}/neurIPS_eval_scripts/meta_analysis/results/${p.slice('leaderboard/'.length)}`)),
  };
}

/** Benchmarks a scenario reads but no file can be pinned for, with what to do instead. */
export const NOT_PINNED: Record<string, string> = {
  math:
    'MATH comes as one archive (https://people.eecs.berkeley.edu/~hendrycks/MATH.tar, no published checksum); `data fetch math` downloads and unpacks it into MATH/{train,test}/<subject>/<n>.json',
};

export const PINS: PinTable = buildPins();

/** Pins of the named benchmarks (all when none is named), or a clear error for an unknown name. */
export function selectPins(names: string[], table: PinTable = PINS): [string, FilePin[]][] {
  if (names.length === 0) return Object.entries(table);
  return names.map((n) => {
    if (table[n]) return [n, table[n]];
    if (NOT_PINNED[n]) return [n, []];
    throw new UserError(`unknown benchmark '${n}' (known: ${[...Object.keys(table), ...Object.keys(NOT_PINNED)].join(', ')})`);
  });
}

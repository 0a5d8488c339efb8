// The on-disk shape of a run directory's results.json and instances.jsonl. Reports, compare,
// explain, leaderboard and the supervisor read these; the runner writes them.

export interface MetricStat {
  mean: number;
  /** Standard error of the mean (sample std / sqrt(n)); 0 when count < 2. */
  stderr: number;
  count: number;
  /** Why a metric has no value (count 0): e.g. run-level bias metrics "unavailable: ..." or HELM's None. */
  note?: string;
}

export interface RunResult {
  /** HELM-style run name. */
  name: string;
  /** The run entry it came from, verbatim. */
  entry: string;
  scenario: string;
  groups: string[];
  mainMetric: string;
  mainSplit: string;
  /** metric name (e.g. "exact_match", "exact_match (robustness)") → stat over the main split. */
  metrics: Record<string, MetricStat>;
  numInstances: number;
  numRequests: number;
  numErrors: number;
  /** Answers longer than max_tokens, scored cut to max_tokens (absent: none). */
  numTruncated?: number;
  /** The adapter spec used, for explain/compare. */
  adapterSpec: Record<string, unknown>;
  /** Scenarios that draw from HELM's global random state: the state assumed ("seed 0 (standalone)…" or "process order of SUITE, position k…"). */
  processRandom?: string;
  /** sha256 of each data file read, path relative to the data dir. */
  dataChecksums: Record<string, string>;
  /**
   * The task's version, as lm-eval's: a short sha256 over what defines the task (run entry,
   * scenario, adapter spec, metric names, data checksums). Equal versions = the same task.
   */
  taskVersion?: string;
}

export interface GroupResult {
  group: string;
  mainMetric: string;
  /** Unweighted mean over the group's runs of each run's mean (HELM summarize). */
  metrics: Record<string, MetricStat & { runs: number }>;
}

export interface ResultsFile {
  evalfirstVersion: string;
  gitCommit: string | null;
  createdAt: string;
  /** When evaluate() began and ended, and the seconds between. */
  startedAt?: string;
  finishedAt?: string;
  durationS?: number;
  /** Node, OS, CPU, evalfirst version/commit, installed package versions. */
  environment?: Record<string, unknown>;
  /** The full configuration: suite/entries, backend (protocol, urls or model path), concurrency, data dir. */
  config: Record<string, unknown>;
  backend: { id: string; protocol: string; [k: string]: unknown };
  runs: RunResult[];
  groups: GroupResult[];
  errors: { count: number; first: { runName: string; instanceId: string; message: string }[] };
  /** Answers the server made longer than max_tokens, cut to it before scoring (absent: none). */
  truncated?: { count: number; first: { runName: string; instanceId: string; tokens: number; maxTokens: number }[] };
  /** What the run could do but the reader should know (e.g. a run with no eval instance). */
  warnings?: string[];
}

/** One line of instances.jsonl. */
export interface InstanceRecord {
  runName: string;
  instanceId: string;
  split: string;
  perturbation: string | null;
  prompt: string;
  request: Record<string, unknown>;
  completion: { text: string; logprob: number; tokens?: unknown[] } | null;
  references: { text: string; correct: boolean }[];
  scores: Record<string, number>;
  error: string | null;
  /** The server returned `tokens` tokens where `maxTokens` were asked for; completion holds the first maxTokens. */
  truncated?: { tokens: number; maxTokens: number };
}

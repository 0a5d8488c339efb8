// Where the files a benchmark reads come from and how to check them. Whoever reads the files
// declares them: a scenario module (its `data`, next to its scenario's `files()`), the augmentation
// (tasks/augment/resources.ts), the leaderboard (reports/leaderboard/organiser-files.ts).
// `evalfirst data fetch/verify/list` gathers them (harness/commands/data.ts).
//
// A pin names a file's path under the data dir (the layout of ../shared/datasets), the URL it is
// downloaded from, and, where known, its sha256 and size (those of ../shared/datasets/SHA256SUMS,
// copied byte-for-byte from the commits named beside them) or its upstream git blob id. A pin with
// neither is "unverified": fetched and used, but reported as such.

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

/** Data that only comes as one archive (MMLU's data.tar, MATH.tar, nltk's punkt_tab.zip): downloaded, then unpacked. */
export interface ArchiveSpec {
  /** The archive itself, saved under the data dir. */
  archive: FilePin;
  /** Members to unpack (paths inside the archive). */
  members: string[];
  /** Where they go, relative to the data dir ("" for the data dir itself). */
  into: string;
  /** tar (default) or zip; zip members may be `unzip` wildcards. */
  format?: 'tar' | 'zip';
}

/** Files that are read but that no pin covers, by path, with the reason. */
export interface UnpinnedFiles {
  readonly pattern: RegExp;
  readonly reason: string;
}

export interface DataSource {
  /** What `data fetch NAME` calls it: the scenario's name, or the owner's ("helm_perturbations"). */
  readonly name: string;
  readonly pins: readonly FilePin[];
  readonly archive?: ArchiveSpec;
  readonly unpinned?: readonly UnpinnedFiles[];
}

export const GITHUB_RAW = 'https://raw.githubusercontent.com';

/** A file at a commit of a GitHub repository. */
export function githubRaw(repo: string, commit: string, path: string): string {
  return `${GITHUB_RAW}/${repo}/${commit}/${path}`;
}

/** A pin with its sha256 and size. */
export function checkedPin(path: string, url: string | null, [sha256, bytes]: readonly [string, number], source?: string): FilePin {
  return { path, url, sha256, bytes, ...(source ? { source } : {}) };
}

/** A pin without a checksum (no copy could be obtained to hash, or the upstream moves). */
export function unverifiedPin(path: string, url: string): FilePin {
  return { path, url, sha256: null, bytes: null };
}

/** Whether a pin of `source` or one of its unpinned patterns covers `path`. */
export function covers(source: DataSource, path: string): boolean {
  return source.pins.some((p) => p.path === path) || (source.unpinned ?? []).some((u) => u.pattern.test(path));
}

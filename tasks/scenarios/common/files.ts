// Reading a benchmark's original files from the data dir, with errors that name the file and say
// how to get it.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingDataError, UserError } from '../../../core/errors.js';

/** The absolute path of a data file (relative paths are as in the pins, e.g. "gsm8k/test.jsonl"). */
export function dataFile(dataDir: string, rel: string): string {
  return join(dataDir, rel);
}

export function missingFileError(dataDir: string, rel: string, benchmark: string): MissingDataError {
  return new MissingDataError(
    `${benchmark}: data file ${join(dataDir, rel)} not found; run \`evalfirst data fetch ${benchmark} --data-dir ${dataDir}\` ` +
      `(or point --data-dir / EVALFIRST_DATA at a directory that holds ${rel})`,
    join(dataDir, rel),
    benchmark,
  );
}

/** Reads a data file as UTF-8 text, or throws a UserError naming it and the fetch command. */
export async function readDataText(dataDir: string, rel: string, benchmark: string): Promise<string> {
  const path = dataFile(dataDir, rel);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missingFileError(dataDir, rel, benchmark);
    throw new UserError(`${benchmark}: cannot read ${path}: ${(err as Error).message}`);
  }
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

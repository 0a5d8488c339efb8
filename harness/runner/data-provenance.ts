// sha256 of each data file a scenario read, for provenance in results.json.
import { isAbsolute, join, relative } from 'node:path';
import { sha256File } from '../../core/sha256.js';

/** sha256, or "missing" for a listed file that is absent (an optional split), so provenance never fails a finished run. */
async function sha256OrMissing(path: string): Promise<string> {
  try {
    return await sha256File(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

/** { path relative to dataDir: sha256 }, memoised per absolute path across runs of one evaluation. */
export async function checksumFiles(dataDir: string, files: string[], memo: Map<string, Promise<string>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of [...files].sort()) {
    const abs = isAbsolute(f) ? f : join(dataDir, f);
    let p = memo.get(abs);
    if (!p) {
      p = sha256OrMissing(abs);
      memo.set(abs, p);
    }
    out[isAbsolute(f) ? relative(dataDir, f) : f] = await p;
  }
  return out;
}

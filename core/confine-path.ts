// Confining a path taken from a request or a file to the directories it may name: the path is
// resolved (against `base` when relative), symbolic links included, and must lie inside (or be)
// one of the roots. `..`, absolute paths elsewhere and links that lead out are refused alike.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** The real path of an existing file or directory, or null when it does not exist. */
export function realPathOf(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Whether `inner` is `outer` or lies below it (both absolute, already resolved). */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export type Confined = { ok: true; path: string; real: string } | { ok: false; reason: string };

/**
 * `path` resolved against `base`, checked to exist and to lie (after following links) inside one
 * of `roots`. `path` in the answer is the resolved path as named (links kept), `real` its real path.
 */
export function confinePath(path: string, base: string, roots: readonly string[]): Confined {
  const resolved = resolve(base, path);
  const real = realPathOf(resolved);
  if (real === null) return { ok: false, reason: `${resolved} does not exist` };
  const realRoots = roots.map((r) => realPathOf(r) ?? resolve(r));
  if (!realRoots.some((r) => isWithin(real, r))) {
    const via = real === resolved ? '' : ` (it leads to ${real})`;
    return { ok: false, reason: `${resolved}${via} is outside ${roots.length === 1 ? roots[0] : `the allowed directories (${roots.join(', ')})`}` };
  }
  return { ok: true, path: resolved, real };
}

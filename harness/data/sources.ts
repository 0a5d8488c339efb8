// Choosing data sources by name for `evalfirst data fetch/verify/list`. Each source is declared by
// what reads its files (a scenario module's `data`, the augmentation resources, the leaderboard
// files: tasks/data-source.ts); the CLI gathers them (harness/commands/data.ts).
import { UserError } from '../../core/errors.js';
import type { DataSource, FilePin } from '../../tasks/data-source.js';

/** The named sources (all when none is named), or a clear error for an unknown name; a name defined twice is a programming error. */
export function selectSources(names: string[], sources: readonly DataSource[]): DataSource[] {
  const byName = new Map<string, DataSource>();
  for (const s of sources) {
    if (byName.has(s.name)) throw new Error(`data source '${s.name}' is declared twice`);
    byName.set(s.name, s);
  }
  if (names.length === 0) return [...sources];
  return names.map((n) => {
    const s = byName.get(n);
    if (!s) throw new UserError(`unknown benchmark '${n}' (known: ${[...byName.keys()].join(', ')})`);
    return s;
  });
}

/** (source name, its pins) pairs, as `data verify` reports them. */
export function pinsBySource(sources: readonly DataSource[]): [string, FilePin[]][] {
  return sources.map((s) => [s.name, [...s.pins]]);
}

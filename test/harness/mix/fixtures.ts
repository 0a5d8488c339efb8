// Temporary mix folders for the tests: a manifest and its source files written from strings.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'ef-mix-'));

  write(rel: string, content: string | Uint8Array): string {
    const p = join(this.path, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }

  file(rel: string): string {
    return join(this.path, rel);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** n distinct, long enough English rows (no two near-duplicates: each has its own words). */
export function distinctRows(n: number, tag: string): { prompt: string; completion: string }[] {
  const words = ['river', 'garden', 'lantern', 'copper', 'meadow', 'harbor', 'violet', 'canyon', 'pepper', 'saddle', 'marble', 'thunder', 'orchard', 'falcon', 'velvet', 'glacier'];
  return Array.from({ length: n }, (_, i) => {
    const a = words[i % words.length];
    const b = words[(i * 7 + 3) % words.length];
    const c = words[(i * 11 + 5) % words.length];
    return { prompt: `Question ${tag} ${i}: describe the ${a} near the ${b} in number ${i * 13 + 7}.`, completion: ` The ${a} of ${tag} item ${i} sits beside a ${c}, counted ${i * 17 + 1} times.` };
  });
}

// A mix's version: sha256 over the canonical manifest (what it says, keys sorted) and the sha256 of
// every input it read (source files, benchmark data files, the decontamination suites' files and run
// entries). Same manifest + same inputs → same version, on any machine and from any folder.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileSha256(path: string): string {
  return sha256Hex(readFileSync(path));
}

export interface InputDigest {
  /** What the input is: "file:<path as written>", "data:<path in the data dir>", "suite:<name>", "eval-texts". */
  input: string;
  sha256: string;
}

export function mixVersion(canonicalManifest: unknown, inputs: readonly InputDigest[]): string {
  return sha256Hex(canonicalJson({ manifest: canonicalManifest, inputs }));
}

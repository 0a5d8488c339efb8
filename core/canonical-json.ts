// JSON with object keys sorted at every level, so equal requests give equal strings (cache keys,
// request ids). `undefined` fields are dropped as JSON.stringify does.
import { sha256Hex } from './sha256.js';
import type { CompletionRequest } from './request.js';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** A short, stable name for a request in error messages and logs. */
export function requestId(request: CompletionRequest): string {
  return `req-${sha256Hex(canonicalJson(request)).slice(0, 12)}`;
}

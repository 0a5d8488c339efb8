// Checks on the JSON a server sends back, each failing with the path of the offending key
// ("tokens[3].top_logprob") and what was expected.

export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    got: unknown,
  ) {
    super(got === undefined ? `missing key "${path}" (expected ${expected})` : `key "${path}" is ${describe(got)}, expected ${expected}`);
    this.name = 'ShapeError';
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${typeof v === 'object' ? '' : JSON.stringify(v)}`.trim();
}

export function asObject(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ShapeError(path || '(body)', 'an object', v);
  return v as Record<string, unknown>;
}

export function str(obj: Record<string, unknown>, key: string, prefix = ''): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new ShapeError(prefix + key, 'a string', v);
  return v;
}

export function num(obj: Record<string, unknown>, key: string, prefix = ''): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(prefix + key, 'a finite number', v);
  return v;
}

export function arr(obj: Record<string, unknown>, key: string, prefix = ''): unknown[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw new ShapeError(prefix + key, 'an array', v);
  return v;
}

/** An object whose values are all finite numbers (token → logprob). */
export function numberMap(obj: Record<string, unknown>, key: string, prefix = ''): Record<string, number> {
  const v = obj[key];
  const o = asObject(v, prefix + key);
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ShapeError(`${prefix}${key}[${JSON.stringify(k)}]`, 'a finite number', x);
  }
  return o as Record<string, number>;
}

export function intArray(obj: Record<string, unknown>, key: string, prefix = ''): number[] {
  const a = arr(obj, key, prefix);
  a.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new ShapeError(`${prefix}${key}[${i}]`, 'an integer token id', x);
  });
  return a as number[];
}

/** A positive integer at `key`, or null when the key is absent or null. */
export function optionalPositiveInt(obj: Record<string, unknown>, key: string, prefix = ''): number | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ShapeError(prefix + key, 'a positive integer', v);
  return v;
}

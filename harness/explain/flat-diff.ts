// Differences between two JSON-like values as dotted paths: "backend.url: A \"x\" vs B \"y\"".

export interface FieldDifference {
  path: string;
  a: unknown;
  b: unknown;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Leaves of a JSON value by dotted path (arrays are compared whole). */
export function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0 && prefix) out.set(prefix, {});
    for (const k of keys) flatten(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

export function fieldDifferences(a: unknown, b: unknown, ignore: (path: string) => boolean = () => false): FieldDifference[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const out: FieldDifference[] = [];
  for (const p of paths) {
    if (ignore(p)) continue;
    const va = fa.get(p);
    const vb = fb.get(p);
    if (JSON.stringify(va) !== JSON.stringify(vb)) out.push({ path: p, a: va, b: vb });
  }
  return out;
}

export function describeField(d: FieldDifference): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return `${d.path}: A ${show(d.a)} vs B ${show(d.b)}`;
}

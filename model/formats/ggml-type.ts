// ggml tensor types as GGUF records them (ggml include/ggml.h `enum ggml_type`), with block layout
// for the ones this runtime reads. Q4_0/Q8_0 blocks hold 32 weights (ggml-common.h).
export const GGMLType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  BF16: 30,
} as const;
export type GGMLType = (typeof GGMLType)[keyof typeof GGMLType];

/** Elements per block and bytes per block of every type we can size. */
export const GGML_BLOCK: Readonly<Record<number, { elements: number; bytes: number; name: string }>> = {
  [GGMLType.F32]: { elements: 1, bytes: 4, name: 'F32' },
  [GGMLType.F16]: { elements: 1, bytes: 2, name: 'F16' },
  [GGMLType.Q4_0]: { elements: 32, bytes: 18, name: 'Q4_0' },
  [GGMLType.Q4_1]: { elements: 32, bytes: 20, name: 'Q4_1' },
  [GGMLType.Q5_0]: { elements: 32, bytes: 22, name: 'Q5_0' },
  [GGMLType.Q5_1]: { elements: 32, bytes: 24, name: 'Q5_1' },
  [GGMLType.Q8_0]: { elements: 32, bytes: 34, name: 'Q8_0' },
  [GGMLType.Q8_1]: { elements: 32, bytes: 36, name: 'Q8_1' },
  [GGMLType.I8]: { elements: 1, bytes: 1, name: 'I8' },
  [GGMLType.I16]: { elements: 1, bytes: 2, name: 'I16' },
  [GGMLType.I32]: { elements: 1, bytes: 4, name: 'I32' },
  [GGMLType.I64]: { elements: 1, bytes: 8, name: 'I64' },
  [GGMLType.F64]: { elements: 1, bytes: 8, name: 'F64' },
  [GGMLType.BF16]: { elements: 1, bytes: 2, name: 'BF16' },
};

export function ggmlTypeName(t: number): string {
  return GGML_BLOCK[t]?.name ?? `type ${t}`;
}

/** Bytes of a tensor with these dims (ne order); null when the type is unknown or rows do not fill whole blocks. */
export function ggmlTensorBytes(type: number, ne: readonly number[]): number | null {
  const b = GGML_BLOCK[type];
  if (!b) return null;
  const row = ne.length > 0 ? ne[0] : 1;
  if (row % b.elements !== 0) return null;
  let n = 1;
  for (const d of ne) n *= d;
  return (n / b.elements) * b.bytes;
}

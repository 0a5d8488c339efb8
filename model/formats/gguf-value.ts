// GGUF metadata value types (ggml docs/gguf.md `enum gguf_metadata_value_type`).
export const GGUFValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GGUFValueType = (typeof GGUFValueType)[keyof typeof GGUFValueType];

export type GGUFScalar = number | bigint | boolean | string;

/** A metadata value with its exact on-disk type (llama.cpp checks types strictly). */
export type GGUFValue =
  | { type: Exclude<GGUFValueType, 9>; value: GGUFScalar }
  | { type: 9; itemType: Exclude<GGUFValueType, 9>; value: GGUFScalar[] | Float32Array | Int32Array };

/** Fixed byte width of a scalar type (strings are variable). */
export const GGUF_SCALAR_BYTES: Readonly<Record<number, number>> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8,
};

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;

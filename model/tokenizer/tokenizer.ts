// What the runtime needs from a tokenizer: text ↔ ids with LLaMA's BOS handling.
export interface TextTokenizer {
  /** Where it was read from (tokenizer.json path or GGUF file), for messages. */
  readonly source: string;
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** Token ids; BOS first when `addBos` (the default, as LLaMA's tokenizers do). */
  encode(text: string, addBos?: boolean): number[];
  /** Text of the ids with special tokens skipped. */
  decode(ids: number[]): string;
}

// The one wrapper over @huggingface/tokenizers: tokenizer.json (+ tokenizer_config.json beside it)
// for the embedded runtime, the trainer, and local token counting for servers without /tokenize.
// A tokenizer.json the library would take but that cannot be right is refused, naming the file: a
// model type it does not know (it would be read as BPE), one that cannot tokenize plain text (a
// one-token vocabulary: every text becomes the unknown token), ids beyond the model's vocabulary.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError } from '../../core/errors.js';
import type { TextTokenizer } from './tokenizer.js';

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read tokenizer file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

function tokenContent(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return null;
}

export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** Whether encode(text) already prepends BOS (LLaMA's TemplateProcessing post-processor). */
  private readonly postProcessorAddsBos: boolean;
  /** tokenizer_config.json's add_bos_token (LLaMA: true); false means never add one ourselves. */
  private readonly configAddsBos: boolean;

  constructor(
    readonly source: string,
    private readonly tok: Tokenizer,
    config: Record<string, unknown>,
  ) {
    this.vocabSize = tok.get_vocab(true).size;
    const bos = tokenContent(config.bos_token) ?? '<s>';
    const eos = tokenContent(config.eos_token) ?? '</s>';
    this.bosId = tok.token_to_id(bos) ?? null;
    this.eosId = tok.token_to_id(eos) ?? null;
    const probe = tok.encode('a', { add_special_tokens: true }).ids;
    this.postProcessorAddsBos = this.bosId !== null && probe[0] === this.bosId;
    this.configAddsBos = config.add_bos_token !== false;
  }

  /** Ids with BOS first when the model wants one (the runtime's prompts). */
  encode(text: string, addBos = true): number[] {
    if (!addBos) return this.encodePlain(text);
    const ids = this.tok.encode(text, { add_special_tokens: true }).ids;
    if (this.postProcessorAddsBos || this.bosId === null || !this.configAddsBos) return ids;
    return [this.bosId, ...ids];
  }

  /** Ids without any special token (training text pieces). */
  encodePlain(text: string): number[] {
    return text.length === 0 ? [] : this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** Ids as an HF server's tokenizer(text) gives them: special tokens exactly as the post-processor adds them. */
  encodeWithPostProcessor(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: true }).ids;
  }

  /** Text of ids, special tokens skipped; `cleanUp` undefined follows tokenizer_config.json (as an HF server would). */
  decode(ids: number[], cleanUp: boolean | undefined = false): string {
    if (ids.length === 0) return '';
    return this.tok.decode(ids, { skip_special_tokens: true, ...(cleanUp === undefined ? {} : { clean_up_tokenization_spaces: cleanUp }) });
  }
}

/** The model types of tokenizer.json that @huggingface/tokenizers (and HF tokenizers) implement. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'WordLevel', 'Unigram'];
const PROBE_TEXT = 'The quick brown fox jumps over the lazy dog. 12345';

function checkModelType(file: string, json: Record<string, unknown>): void {
  const type = (json.model as { type?: unknown } | undefined)?.type;
  if (type !== undefined && !MODEL_TYPES.includes(type as string)) {
    throw new UserError(`${file}: model type ${JSON.stringify(type)} is not one of ${MODEL_TYPES.join(', ')}`);
  }
}

/** Refuses a tokenizer that cannot represent plain text, or whose ids the model has no embedding for. */
function checkUsable(file: string, json: Record<string, unknown>, tok: Tokenizer, modelVocabSize: number | undefined): void {
  let ids: number[];
  try {
    ids = tok.encode(PROBE_TEXT, { add_special_tokens: false }).ids;
  } catch (e) {
    throw new UserError(`${file}: cannot tokenize plain text (${(e as Error).message}); vocabulary of ${tok.get_vocab(true).size} tokens`);
  }
  const unkToken = (json.model as { unk_token?: unknown } | undefined)?.unk_token;
  const unk = typeof unkToken === 'string' ? tok.token_to_id(unkToken) : undefined;
  if (ids.length === 0 || ids.every((id) => id === unk)) {
    throw new UserError(`${file}: cannot represent plain text: ${JSON.stringify(PROBE_TEXT)} tokenizes to ${ids.length} id(s), all the unknown token (vocabulary of ${tok.get_vocab(true).size} tokens)`);
  }
  if (modelVocabSize !== undefined) {
    const maxId = Math.max(...tok.get_vocab(true).values());
    if (maxId >= modelVocabSize) throw new UserError(`${file}: token id ${maxId} is beyond the model's vocabulary of ${modelVocabSize} (config.json vocab_size): not this model's tokenizer`);
  }
}

/**
 * Reads a tokenizer.json (the file, or a model folder holding one) and the tokenizer_config.json
 * beside it; `modelVocabSize`: the model it serves, whose embedding every id must index.
 */
export function loadHfTokenizer(path: string, modelVocabSize?: number): HfTokenizer {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  if (isDir && !existsSync(join(path, 'tokenizer.json'))) throw new UserError(`${path}: no tokenizer.json`);
  const file = isDir ? join(path, 'tokenizer.json') : path;
  const json = readJson(file);
  checkModelType(file, json);
  const cfgFile = join(dirname(file), 'tokenizer_config.json');
  const config = existsSync(cfgFile) ? readJson(cfgFile) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new UserError(`${file}: not a tokenizer @huggingface/tokenizers can read (${(e as Error).message})`);
  }
  checkUsable(file, json, tok, modelVocabSize);
  return new HfTokenizer(file, tok, config);
}

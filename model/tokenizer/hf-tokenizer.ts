// The one wrapper over @huggingface/tokenizers: tokenizer.json (+ tokenizer_config.json beside it)
// for the embedded runtime, the trainer, and local token counting for servers without /tokenize.
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

/** Reads a tokenizer.json (the file, or a model folder holding one) and the tokenizer_config.json beside it. */
export function loadHfTokenizer(path: string): HfTokenizer {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  if (isDir && !existsSync(join(path, 'tokenizer.json'))) throw new UserError(`${path}: no tokenizer.json`);
  const file = isDir ? join(path, 'tokenizer.json') : path;
  const json = readJson(file);
  const cfgFile = join(dirname(file), 'tokenizer_config.json');
  const config = existsSync(cfgFile) ? readJson(cfgFile) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new UserError(`${file}: not a tokenizer @huggingface/tokenizers can read (${(e as Error).message})`);
  }
  return new HfTokenizer(file, tok, config);
}

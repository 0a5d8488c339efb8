// tokenizer.json + tokenizer_config.json through @huggingface/tokenizers.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError } from '../../core/errors.js';
import type { TextTokenizer } from './tokenizer.js';

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`${path}: cannot read as JSON (${(e as Error).message})`);
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

  encode(text: string, addBos = true): number[] {
    if (!addBos) return this.tok.encode(text, { add_special_tokens: false }).ids;
    const ids = this.tok.encode(text, { add_special_tokens: true }).ids;
    if (this.postProcessorAddsBos || this.bosId === null || !this.configAddsBos) return ids;
    return [this.bosId, ...ids];
  }

  decode(ids: number[]): string {
    if (ids.length === 0) return '';
    return this.tok.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }
}

/** Reads tokenizer.json (and tokenizer_config.json when present) from a model directory. */
export function loadHfTokenizer(dir: string): HfTokenizer {
  const file = join(dir, 'tokenizer.json');
  if (!existsSync(file)) throw new UserError(`${dir}: no tokenizer.json`);
  const json = readJson(file);
  const cfgFile = join(dir, 'tokenizer_config.json');
  const config = existsSync(cfgFile) ? readJson(cfgFile) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new UserError(`${file}: not a tokenizer @huggingface/tokenizers can read (${(e as Error).message})`);
  }
  return new HfTokenizer(file, tok, config);
}

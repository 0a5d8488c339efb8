// Scores the mini-challenge with the trainer's own forward pass (greedy decoding, HELM's scoring
// rules): multiple choice reads the one greedy token after "Answer:", strips it and maps the letter
// (exact_match / quasi_exact_match on the reference text); GSM decodes greedily up to max_tokens,
// cut at the stop sequence, and compares the last whitespace token (exact_match_indicator).
// A stand-in used for the trainer's own reports until the runner scores through the runtime.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { argmax } from '../../kernels/index.js';
import { FAMILIES, type FamilyName } from '../../tasks/mini/families.js';
import { zeroShotPrompt } from '../../tasks/mini/prompt.js';
import { DEFAULT_MINI_SEED, generateWorld } from '../../tasks/mini/world.js';
import type { Instance } from '../../tasks/instance.js';
import { loadBase } from './base-io.js';
import { initLora, type LoraAdapters } from './lora.js';
import { TrainModel } from './model.js';
import { readAllF32 } from './tensor-io.js';
import { PROJECTIONS, type Projection } from './weights.js';

export interface TaskScore {
  task: FamilyName;
  split: string;
  n: number;
  mean: number;
  stderr: number;
}

function loadAdapter(model: { config: TrainModel['config'] }, dir: string): LoraAdapters {
  const cfg = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) as { r: number; lora_alpha: number; use_rslora?: boolean; target_modules: string[] };
  const targets = cfg.target_modules.filter((t): t is Projection => (PROJECTIONS as readonly string[]).includes(t));
  const lora = initLora(model.config, { r: cfg.r, alpha: cfg.lora_alpha, dropout: 0, useRslora: cfg.use_rslora ?? false, targetModules: targets }, () => 0.5);
  const t = readAllF32(join(dir, 'adapter_model.safetensors'));
  lora.layers.forEach((l, i) => {
    for (const p of targets) {
      const path = `base_model.model.model.layers.${i}.${p === 'gate_proj' || p === 'up_proj' || p === 'down_proj' ? 'mlp' : 'self_attn'}.${p}`;
      l[p]!.A.set(t.get(`${path}.lora_A.weight`)!.data);
      l[p]!.B.set(t.get(`${path}.lora_B.weight`)!.data);
    }
  });
  return lora;
}

const normalize = (s: string) => s.toLowerCase().replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '').replace(/\b(a|an|the)\b/g, ' ').split(/\s+/).filter(Boolean).join(' ');

export async function scoreMiniGreedy(baseDir: string, adapterDir: string | null, opts: { quant?: 'nf4' | 'none'; seed?: number; maxPerTask?: number; tasks?: FamilyName[] } = {}): Promise<TaskScore[]> {
  const base = loadBase(baseDir, opts.quant ?? (adapterDir ? 'nf4' : 'none'));
  const lora = adapterDir ? loadAdapter(base, adapterDir) : null;
  const model = new TrainModel(base, lora, base.config.maxSeqLen);
  const tokPath = join(baseDir, 'tokenizer.json');
  const cfgPath = join(baseDir, 'tokenizer_config.json');
  const tok = new Tokenizer(JSON.parse(readFileSync(tokPath, 'utf8')), existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {});
  const V = base.config.vocabSize;
  const eos = base.config.eosIds;
  const world = generateWorld(opts.seed ?? DEFAULT_MINI_SEED);
  const scores: TaskScore[] = [];
  for (const family of FAMILIES.filter((f) => !opts.tasks || opts.tasks.includes(f.name))) {
    const mainSplit = family.name === 'mini_truthfulqa' ? 'valid' : 'test';
    const instances = family.instances(world).filter((i) => i.split === mainSplit).slice(0, opts.maxPerTask ?? Infinity);
    const values = instances.map((inst: Instance) => {
      const spec = family.spec(inst);
      const ids = tok.encode(zeroShotPrompt(spec, inst)).ids.slice(-model.maxT);
      if (spec.method === 'multiple_choice_joint') {
        const T = ids.length;
        const next = argmax(model.forwardLast(ids, T), V);
        const letter = tok.decode([next], { skip_special_tokens: true }).trim();
        const idx = letter.length === 1 ? letter.charCodeAt(0) - 65 : -1;
        const pred = idx >= 0 && idx < inst.references.length ? inst.references[idx]!.text : null;
        const gold = inst.references.find((r) => r.correct)!.text;
        if (pred === null) return 0;
        return family.name === 'mini_bbq' ? (normalize(gold) === normalize(pred) ? 1 : 0) : gold.trim() === pred.trim() ? 1 : 0;
      }
      const out: number[] = [];
      let text = '';
      for (let k = 0; k < spec.maxTokens && ids.length < model.maxT; k++) {
        const next = argmax(model.forwardLast(ids, ids.length), V);
        if (eos.includes(next)) break;
        ids.push(next);
        out.push(next);
        text = tok.decode(out, { skip_special_tokens: true });
        if (spec.stopSequences.some((s) => text.includes(s))) break;
      }
      for (const s of spec.stopSequences) if (text.includes(s)) text = text.slice(0, text.indexOf(s));
      const last = (s: string) => s.trim().split(/\s+/).at(-1) ?? '';
      const gold = inst.references[0]!.text;
      return text.trim().length > 0 && last(gold) === last(text) ? 1 : 0;
    });
    const n = values.length;
    const mean = n ? values.reduce((a: number, b: number) => a + b, 0) / n : 0;
    const variance = n > 1 ? values.reduce((a: number, v: number) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
    scores.push({ task: family.name, split: mainSplit, n, mean, stderr: Math.sqrt(variance / Math.max(1, n)) });
  }
  return scores;
}

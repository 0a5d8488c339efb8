// Loads a PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) for a
// LLaMA base: tensors `base_model.model.model.layers.{i}.{self_attn|mlp}.{proj}.lora_{A|B}.weight`,
// A [r, in], B [out, r], scaling lora_alpha / r (use_rslora: lora_alpha / sqrt(r)); rank_pattern
// and alpha_pattern override per module (peft tuners/lora/config.py, layer.py update_layer).
// The tensors must be exactly the modules the config targets, matched as peft's
// check_target_module_exists matches them (tuners_utils.py: a list entry equals the module name or
// ends it after a dot, a string is a full regex, 'all-linear', layers_to_transform): a missing
// layer or module is an error (peft would leave it untrained and say so only in a warning). A
// target_modules name this base does not have is a warning when others match (peft ignores it),
// an error when none does (peft raises "Target modules ... not found in the base model").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { SafetensorsFile } from '../formats/safetensors.js';
import { SafetensorsSet } from '../llama/hf-checkpoint.js';
import type { LlamaConfig } from '../llama/config.js';
import { PROJECTIONS, projectionPath, projectionShape, type Projection } from '../llama/projections.js';
import type { LoraAdapter } from './adapter.js';
import type { LoraPair } from './lora-pair.js';

export interface PeftLoraConfig {
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  targetModules: string[] | string | null;
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  /** peft's layers_to_transform: only these layer indices (null: all). */
  layersToTransform: number[] | null;
}

export function parsePeftConfig(path: string, json: unknown): PeftLoraConfig {
  if (json === null || typeof json !== 'object') throw new UserError(`${path}: not a JSON object`);
  const o = json as Record<string, unknown>;
  if (o.peft_type !== undefined && o.peft_type !== 'LORA') throw new UserError(`${path}: peft_type "${String(o.peft_type)}" is not supported (LORA)`);
  if (o.use_dora === true) throw new UserError(`${path}: DoRA adapters (use_dora) are not supported`);
  if (o.lora_bias === true) throw new UserError(`${path}: lora_bias adapters are not supported`);
  if (typeof o.r !== 'number' || !Number.isInteger(o.r) || o.r <= 0) throw new UserError(`${path}: "r" must be a positive integer`);
  if (typeof o.lora_alpha !== 'number') throw new UserError(`${path}: "lora_alpha" must be a number`);
  const tm = o.target_modules;
  if (tm !== undefined && tm !== null && typeof tm !== 'string' && !(Array.isArray(tm) && tm.every((t) => typeof t === 'string'))) throw new UserError(`${path}: "target_modules" must be a list of module names or a regex string`);
  const lt = o.layers_to_transform;
  const isIndex = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  if (lt !== undefined && lt !== null && !isIndex(lt) && !(Array.isArray(lt) && lt.every(isIndex))) throw new UserError(`${path}: "layers_to_transform" must be a layer index or a list of them`);
  return {
    r: o.r,
    loraAlpha: o.lora_alpha,
    useRslora: o.use_rslora === true,
    targetModules: Array.isArray(tm) ? tm.map(String) : typeof tm === 'string' ? tm : null,
    rankPattern: (o.rank_pattern as Record<string, number>) ?? {},
    alphaPattern: (o.alpha_pattern as Record<string, number>) ?? {},
    layersToTransform: lt === undefined || lt === null || (Array.isArray(lt) && lt.length === 0) ? null : Array.isArray(lt) ? (lt as number[]) : [lt as number],
  };
}

/**
 * The base's projection modules (`model.layers.{i}.{block}.{p}`) the config puts LoRA on, and the
 * target_modules list entries that name none of them. Null target_modules: unknown here, so every
 * projection the tensors name is taken as targeted (adapters written by hand).
 */
export function targetedModules(cfg: PeftLoraConfig, base: LlamaConfig): { targeted: Set<string> | null; unmatched: string[] } {
  const tm = cfg.targetModules;
  if (tm === null) return { targeted: null, unmatched: [] };
  const modules: Array<{ key: string; layer: number }> = [];
  for (let l = 0; l < base.nLayers; l++) for (const p of PROJECTIONS) modules.push({ key: projectionPath(l, p), layer: l });
  if (typeof tm === 'string') {
    // a string is a regex over the whole module name (layers_to_transform does not apply), or 'all-linear'
    const re = tm === 'all-linear' ? /.*/ : new RegExp(`^(?:${tm})$`);
    return { targeted: new Set(modules.filter((m) => re.test(m.key)).map((m) => m.key)), unmatched: [] };
  }
  const layers = cfg.layersToTransform;
  const matches = (key: string, t: string) => key === t || key.endsWith(`.${t}`);
  const targeted = new Set(modules.filter((m) => tm.some((t) => matches(m.key, t)) && (layers === null || layers.includes(m.layer))).map((m) => m.key));
  return { targeted, unmatched: tm.filter((t) => !modules.some((m) => matches(m.key, t))) };
}

// peft matches pattern keys against the module's full name as a suffix / regex; we take the
// simple suffix form ("q_proj", "layers.0.self_attn.q_proj"), which is what rank_pattern examples use
function patternValue(patterns: Record<string, number>, moduleName: string): number | undefined {
  for (const [k, v] of Object.entries(patterns)) {
    if (moduleName === k || moduleName.endsWith(`.${k}`)) return v;
  }
  return undefined;
}

const NAME_RE = /^base_model\.model\.model\.layers\.(\d+)\.(self_attn|mlp)\.([a-z_]+)\.lora_(A|B)\.weight$/;

export function loadPeftAdapter(dir: string, base: LlamaConfig): LoraAdapter {
  const cfgPath = join(dir, 'adapter_config.json');
  if (!existsSync(cfgPath)) throw new UserError(`${dir}: no adapter_config.json (expected a PEFT LoRA adapter directory)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(cfgPath, 'utf8'));
  } catch (e) {
    throw new UserError(`${cfgPath}: not valid JSON (${(e as Error).message})`);
  }
  const cfg = parsePeftConfig(cfgPath, json);
  const file = join(dir, 'adapter_model.safetensors');
  if (!existsSync(file)) throw new UserError(`${dir}: no adapter_model.safetensors`);
  const only = new SafetensorsSet([SafetensorsFile.open(file)]);
  try {
    const layers: Array<Partial<Record<Projection, LoraPair>>> = Array.from({ length: base.nLayers }, () => ({}));
    const pairs = new Map<string, { a?: string; b?: string; layer: number; proj: Projection }>();
    for (const f of only.files) {
      for (const name of f.tensors.keys()) {
        const m = NAME_RE.exec(name);
        if (!m) throw new UserError(`${file}: tensor "${name}" is not a LoRA weight of a LLaMA projection (embedding / lm_head adapters and modules_to_save are not supported)`);
        const layer = Number(m[1]);
        const proj = m[3] as Projection;
        if (!PROJECTIONS.includes(proj)) throw new UserError(`${file}: tensor "${name}": unknown projection "${m[3]}"`);
        if (layer >= base.nLayers) throw new UserError(`${file}: tensor "${name}": layer ${layer} but the base has ${base.nLayers} layers`);
        const key = `${layer}.${proj}`;
        const e = pairs.get(key) ?? { layer, proj };
        if (m[4] === 'A') e.a = name;
        else e.b = name;
        pairs.set(key, e);
      }
    }
    for (const e of pairs.values()) {
      if (!e.a || !e.b) throw new UserError(`${file}: ${e.a ?? e.b} has no matching lora_${e.a ? 'B' : 'A'} tensor`);
      const [out, inp] = projectionShape(base, e.proj);
      const aShape = only.shape(e.a);
      const bShape = only.shape(e.b);
      const r = aShape[0];
      if (aShape.length !== 2 || aShape[1] !== inp) throw new UserError(`${file}: tensor "${e.a}" has shape ${JSON.stringify(aShape)}, expected [r, ${inp}] for the base's ${e.proj}`);
      if (bShape.length !== 2 || bShape[0] !== out || bShape[1] !== r) throw new UserError(`${file}: tensor "${e.b}" has shape ${JSON.stringify(bShape)}, expected [${out}, ${r}] for the base's ${e.proj}`);
      const moduleName = `model.layers.${e.layer}.${e.proj === 'gate_proj' || e.proj === 'up_proj' || e.proj === 'down_proj' ? 'mlp' : 'self_attn'}.${e.proj}`;
      const wantR = patternValue(cfg.rankPattern, moduleName) ?? cfg.r;
      if (r !== wantR) throw new UserError(`${file}: tensor "${e.a}" has rank ${r}, but adapter_config.json says r = ${wantR}`);
      const alpha = patternValue(cfg.alphaPattern, moduleName) ?? cfg.loraAlpha;
      const scaling = cfg.useRslora ? alpha / Math.sqrt(r) : alpha / r;
      layers[e.layer][e.proj] = { r, scaling, a: only.f32(e.a), b: only.f32(e.b), inFeatures: inp, outFeatures: out };
    }
    if (pairs.size === 0) throw new UserError(`${file}: holds no LoRA tensors`);
    const warnings = checkTargets(cfg, base, cfgPath, file, [...pairs.values()].map((e) => projectionPath(e.layer, e.proj)));
    return { source: dir, layers, ...(warnings.length ? { warnings } : {}) };
  } finally {
    only.close();
  }
}

/** Checks the adapted modules against adapter_config.json's targets; returns the warnings (errors are thrown). */
function checkTargets(cfg: PeftLoraConfig, base: LlamaConfig, cfgPath: string, file: string, adapted: string[]): string[] {
  const { targeted, unmatched } = targetedModules(cfg, base);
  if (targeted === null) return [];
  const shown = JSON.stringify(cfg.targetModules);
  if (targeted.size === 0) {
    throw new UserError(`${cfgPath}: target_modules ${shown}${cfg.layersToTransform ? ` on layers ${JSON.stringify(cfg.layersToTransform)}` : ''} names no module of this base (a LLaMA with ${base.nLayers} layers; its projections: ${PROJECTIONS.join(', ')})`);
  }
  const stray = adapted.find((m) => !targeted.has(m));
  if (stray) throw new UserError(`${file}: holds LoRA tensors for ${stray}, which target_modules ${shown} in ${cfgPath} does not name`);
  const have = new Set(adapted);
  const missing = [...targeted].filter((m) => !have.has(m));
  if (missing.length > 0) {
    const layersMissing = [...new Set(missing.map((m) => Number(/layers\.(\d+)\./.exec(m)?.[1])))];
    throw new UserError(
      `${file}: no LoRA tensors for ${missing.length} of the ${targeted.size} modules target_modules ${shown} names (layers ${layersMissing.join(', ')}); first: base_model.model.${missing[0]}.lora_A.weight (a truncated or mismatched adapter?)`,
    );
  }
  return unmatched.length ? [`${cfgPath}: target_modules names ${unmatched.map((t) => JSON.stringify(t)).join(', ')}, which this LLaMA base does not have; ignored, as peft ignores it when other names match`] : [];
}


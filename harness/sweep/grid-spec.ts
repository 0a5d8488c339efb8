// The arms of `evalfirst sweep` as the user writes them: a grid on the command line
//   --grid "r=8,16 alpha=16,32 lr=1e-3,3e-3 dropout=0,0.05 target=q_proj+v_proj,all"
// (space-separated axes KEY=V1,V2,…; every combination, last axis fastest), or a list in a file
//   --arms arms.json|yaml   ([{r: 8, lr: 0.001}, …], or {arms: [...]})
// Values are numbers where they read as numbers, true/false as booleans, else strings. What a key
// means is the trainer's business (embedded-trainer.ts's armSettings, or {key} in a template).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../core/errors.js';
import { gridArms, listArms, type ArmSpec, type ArmValue } from './arms.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseArmValue(text: string): ArmValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** "r=8,16 lr=1e-3,3e-3" → {r: [8, 16], lr: [0.001, 0.003]}; errors name the axis. */
export function parseGrid(text: string): Record<string, ArmValue[]> {
  const grid: Record<string, ArmValue[]> = {};
  const axes = text.trim().split(/\s+/).filter(Boolean);
  if (axes.length === 0) throw new UserError('--grid: empty (expected e.g. "r=8,16 lr=1e-3,3e-3")');
  for (const axis of axes) {
    const eq = axis.indexOf('=');
    if (eq <= 0) throw new UserError(`--grid: "${axis}" is not KEY=V1,V2,…`);
    const key = axis.slice(0, eq);
    if (!KEY.test(key)) throw new UserError(`--grid: "${key}" is not a key (letters, digits, _)`);
    if (key in grid) throw new UserError(`--grid: "${key}" is given twice`);
    const raw = axis.slice(eq + 1).split(',');
    if (raw.some((v) => v === '')) throw new UserError(`--grid: "${axis}" has an empty value`);
    const values = raw.map(parseArmValue);
    const seen = new Set(values.map(String));
    if (seen.size !== values.length) throw new UserError(`--grid: "${key}" repeats a value`);
    grid[key] = values;
  }
  return grid;
}

export function gridFromText(text: string): ArmSpec[] {
  return gridArms(parseGrid(text));
}

/** An arms file: a list of objects of scalar values (JSON, or YAML by extension). */
export function armsFromFile(file: string): ArmSpec[] {
  let doc: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    doc = ['.yaml', '.yml'].includes(extname(file).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new UserError(`--arms ${file}: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { arms?: unknown }).arms) ? (doc as { arms: unknown[] }).arms : null;
  if (!list) throw new UserError(`--arms ${file}: expected a list of arms (or {arms: [...]})`);
  if (list.length === 0) throw new UserError(`--arms ${file}: no arms`);
  const arms = list.map((a, i) => {
    if (!a || typeof a !== 'object' || Array.isArray(a)) throw new UserError(`--arms ${file}: arm ${i} is not an object of settings`);
    const out: Record<string, ArmValue> = {};
    for (const [k, v] of Object.entries(a as Record<string, unknown>)) {
      if (!KEY.test(k)) throw new UserError(`--arms ${file}: arm ${i}: "${k}" is not a key (letters, digits, _)`);
      if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
      else if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v.join('+');
      else throw new UserError(`--arms ${file}: arm ${i}: "${k}" must be a number, boolean or string`);
    }
    return out;
  });
  try {
    return listArms(arms);
  } catch (err) {
    throw new UserError(`--arms ${file}: ${(err as Error).message}`);
  }
}

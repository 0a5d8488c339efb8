// `explain`: why two runs' numbers differ. Walks from the outside in: evalfirst version and commit,
// configuration, backend and tokenizer, which runs and instances exist, per run the adapter spec
// (prompt format, few-shot, decoding) and dataset checksums, then the actual prompts (first
// differing character, located in the in-context examples or the evaluated instance), the request
// parameters sent, and finally whether identical requests got different completions.
import type { InstanceRecord } from '../../core/results-schema.js';
import { pairKey, type RunDir } from '../../core/run-dir.js';
import { describeDifference, firstDifference } from '../compare/text-diff.js';
import { describeField, fieldDifferences } from './flat-diff.js';
import { locateInBlocks } from './prompt-blocks.js';

export interface ExplainSection {
  title: string;
  differences: string[];
  /** Why nothing could be compared (no run or no instance in common): then "same" would be a lie. */
  notCompared?: string;
}

export interface ExplainReport {
  a: string;
  b: string;
  sections: ExplainSection[];
  /** True when nothing that could change the numbers differs (other than completions). */
  identicalInputs: boolean;
  /** Runs and paired instances both sides have, i.e. what the per-run sections looked at. */
  shared: { runs: number; instances: number };
}

const DECODING_FIELDS = new Set(['temperature', 'maxTokens', 'stopSequences', 'numOutputs', 'topP', 'topKPerToken', 'numCompletions', 'seed', 'echoPrompt']);
const FEW_SHOT_FIELDS = new Set(['maxTrainInstances', 'numTrainTrials', 'sampleTrain']);

function section(title: string, differences: string[], notCompared?: string): ExplainSection {
  return notCompared && differences.length === 0 ? { title, differences, notCompared } : { title, differences };
}

function byRun(records: InstanceRecord[]): Map<string, Map<string, InstanceRecord>> {
  const out = new Map<string, Map<string, InstanceRecord>>();
  for (const r of records) {
    let m = out.get(r.runName);
    if (!m) out.set(r.runName, (m = new Map()));
    m.set(pairKey(r), r);
  }
  return out;
}

function tokenizerFields(x: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (/tokeni[sz]er/i.test(k)) out[k] = v;
  return out;
}

export function explainRuns(a: RunDir, b: RunDir): ExplainReport {
  const sections: ExplainSection[] = [];
  const ra = a.results;
  const rb = b.results;

  const version: string[] = [];
  if (ra.evalfirstVersion !== rb.evalfirstVersion) version.push(`evalfirst version: A ${ra.evalfirstVersion} vs B ${rb.evalfirstVersion}`);
  if (ra.gitCommit !== rb.gitCommit) version.push(`git commit: A ${ra.gitCommit ?? '(none)'} vs B ${rb.gitCommit ?? '(none)'}`);
  sections.push(section('evalfirst version', version));

  sections.push(section('configuration', fieldDifferences(ra.config, rb.config).map(describeField)));
  sections.push(section('backend', fieldDifferences(ra.backend, rb.backend, (p) => /tokeni[sz]er/i.test(p)).map(describeField)));
  sections.push(
    section(
      'tokenizer',
      fieldDifferences({ ...tokenizerFields(ra.config), ...tokenizerFields(ra.backend) }, { ...tokenizerFields(rb.config), ...tokenizerFields(rb.backend) }).map(describeField),
    ),
  );

  const runsA = new Map(ra.runs.map((r) => [r.name, r]));
  const runsB = new Map(rb.runs.map((r) => [r.name, r]));
  const runSet: string[] = [];
  for (const n of runsA.keys()) if (!runsB.has(n)) runSet.push(`run only in A: ${n}`);
  for (const n of runsB.keys()) if (!runsA.has(n)) runSet.push(`run only in B: ${n}`);
  sections.push(section('runs', runSet));

  const spec: string[] = [];
  const fewShot: string[] = [];
  const decoding: string[] = [];
  const data: string[] = [];
  const instances: string[] = [];
  const prompts: string[] = [];
  const requests: string[] = [];
  const completions: string[] = [];
  const ia = byRun(a.instances);
  const ib = byRun(b.instances);
  let sharedRuns = 0;
  let sharedInstances = 0;
  for (const [name, runA] of runsA) {
    const runB = runsB.get(name);
    if (!runB) continue;
    sharedRuns++;
    for (const d of fieldDifferences(runA.adapterSpec, runB.adapterSpec)) {
      const top = d.path.split('.')[0];
      const line = `${name}: ${describeField(d)}`;
      if (DECODING_FIELDS.has(top)) decoding.push(line);
      else if (FEW_SHOT_FIELDS.has(top)) fewShot.push(line);
      else spec.push(line);
    }
    if (runA.mainMetric !== runB.mainMetric) spec.push(`${name}: mainMetric: A ${runA.mainMetric} vs B ${runB.mainMetric}`);
    for (const d of fieldDifferences(runA.dataChecksums ?? {}, runB.dataChecksums ?? {})) data.push(`${name}: ${describeField(d)}`);

    const ma = ia.get(name) ?? new Map<string, InstanceRecord>();
    const mb = ib.get(name) ?? new Map<string, InstanceRecord>();
    const onlyA = [...ma.keys()].filter((k) => !mb.has(k)).length;
    const onlyB = [...mb.keys()].filter((k) => !ma.has(k)).length;
    if (onlyA || onlyB) instances.push(`${name}: ${onlyA} instance(s) only in A, ${onlyB} only in B (of ${ma.size} / ${mb.size})`);

    let promptDiffs = 0;
    let firstPrompt: string | null = null;
    let requestDiffs = 0;
    let firstRequest: string | null = null;
    let completionDiffs = 0;
    let firstCompletion: string | null = null;
    for (const [k, x] of ma) {
      const y = mb.get(k);
      if (!y) continue;
      sharedInstances++;
      const d = firstDifference(x.prompt, y.prompt);
      if (d) {
        promptDiffs++;
        if (!firstPrompt) {
          const where = locateInBlocks(x.prompt, d.index);
          firstPrompt = `${name}, instance ${x.instanceId}${x.perturbation ? ` (${x.perturbation})` : ''}: ${describeDifference(d)}; in prompt block ${where.block} of ${where.blocks} (${where.role})`;
        }
        continue;
      }
      const rd = fieldDifferences(x.request, y.request, (p) => p === 'prompt');
      if (rd.length) {
        requestDiffs++;
        firstRequest ??= `${name}, instance ${x.instanceId}: ${rd.map(describeField).join('; ')}`;
        continue;
      }
      const ta = x.completion?.text ?? null;
      const tb = y.completion?.text ?? null;
      if (ta !== tb) {
        completionDiffs++;
        firstCompletion ??= `${name}, instance ${x.instanceId}: A ${JSON.stringify(ta)} vs B ${JSON.stringify(tb)}`;
      }
    }
    if (firstPrompt) prompts.push(`${promptDiffs} prompt(s) differ; first: ${firstPrompt}`);
    if (firstRequest) requests.push(`${requestDiffs} request(s) with equal prompts differ in parameters; first: ${firstRequest}`);
    if (firstCompletion) completions.push(`${completionDiffs} identical request(s) got different completions (backend nondeterminism or a different model); first: ${firstCompletion}`);
  }
  const noRun = sharedRuns === 0 ? 'no run in common' : undefined;
  const noInstance = noRun ?? (sharedInstances === 0 ? 'no instance in common' : undefined);
  sections.push(section('adapter spec (prompt format)', spec, noRun));
  sections.push(section('few-shot examples', fewShot, noRun));
  sections.push(section('decoding parameters', decoding, noRun));
  sections.push(section('dataset checksums', data, noRun));
  sections.push(section('instances', instances, noRun));
  sections.push(section('prompts', prompts, noInstance));
  sections.push(section('requests', requests, noInstance));
  sections.push(section('completions', completions, noInstance));
  const inputs = sections.filter((s) => s.title !== 'completions' && s.title !== 'evalfirst version');
  const identicalInputs = sharedInstances > 0 && inputs.every((s) => s.differences.length === 0 && !s.notCompared);
  return { a: a.dir, b: b.dir, sections, identicalInputs, shared: { runs: sharedRuns, instances: sharedInstances } };
}

export function renderExplain(r: ExplainReport): string {
  const out = [`explain: A = ${r.a}, B = ${r.b}`];
  for (const s of r.sections) {
    if (s.notCompared) out.push(`? ${s.title}: not compared (${s.notCompared})`);
    else out.push(`${s.differences.length ? '≠' : '='} ${s.title}${s.differences.length ? '' : ': same'}`);
    for (const d of s.differences) out.push(`    ${d}`);
  }
  if (r.shared.runs === 0) out.push('A and B share nothing: no run in common, so their scores measure different things.');
  else if (r.shared.instances === 0) out.push(`A and B share ${r.shared.runs} run(s) but no instance: their scores are on different samples.`);
  else out.push(r.identicalInputs ? `Inputs are identical (${r.shared.instances} paired instance(s)): any difference in scores comes from the completions.` : 'The differences above can change the scores.');
  return out.join('\n');
}

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
}

export interface ExplainReport {
  a: string;
  b: string;
  sections: ExplainSection[];
  /** True when nothing that could change the numbers differs (other than completions). */
  identicalInputs: boolean;
}

const DECODING_FIELDS = new Set(['temperature', 'maxTokens', 'stopSequences', 'numOutputs', 'topP', 'topKPerToken', 'numCompletions', 'seed', 'echoPrompt']);
const FEW_SHOT_FIELDS = new Set(['maxTrainInstances', 'numTrainTrials', 'sampleTrain']);

function section(title: string, differences: string[]): ExplainSection {
  return { title, differences };
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
  for (const [name, runA] of runsA) {
    const runB = runsB.get(name);
    if (!runB) continue;
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
  sections.push(section('adapter spec (prompt format)', spec));
  sections.push(section('few-shot examples', fewShot));
  sections.push(section('decoding parameters', decoding));
  sections.push(section('dataset checksums', data));
  sections.push(section('instances', instances));
  sections.push(section('prompts', prompts));
  sections.push(section('requests', requests));
  sections.push(section('completions', completions));
  const inputs = sections.filter((s) => s.title !== 'completions' && s.title !== 'evalfirst version');
  return { a: a.dir, b: b.dir, sections, identicalInputs: inputs.every((s) => s.differences.length === 0) };
}

export function renderExplain(r: ExplainReport): string {
  const out = [`explain: A = ${r.a}, B = ${r.b}`];
  for (const s of r.sections) {
    out.push(`${s.differences.length ? '≠' : '='} ${s.title}${s.differences.length ? '' : ': same'}`);
    for (const d of s.differences) out.push(`    ${d}`);
  }
  out.push(r.identicalInputs ? 'Inputs are identical: any difference in scores comes from the completions.' : 'The differences above can change the scores.');
  return out.join('\n');
}

// The instance views of the report: the data block the page's script reads (every instance's
// prompt, its preview, completion, references and scores) and the two sections that script fills:
// the side-by-side view of one instance across two runs and the instance table.
import type { ReportModel, ReportRun } from './report-model.js';
import type { InstanceRecord } from '../../core/results-schema.js';
import { promptPreview, promptShape, sharedPrefixLength } from './prompt-preview.js';

export interface BrowserInstance {
  run: number;
  task: string;
  id: string;
  perturbation: string | null;
  prompt: string;
  /** The start of the instance's own question (prompt-preview.ts). */
  preview: string;
  completion: string | null;
  references: [string, boolean][];
  scores: Record<string, number>;
  ok: boolean | null;
  error: string | null;
}

export interface BrowserData {
  runs: string[];
  instances: BrowserInstance[];
  truncated: boolean;
  total: number;
}

/** Per (task, perturbation): how much of the prompt its instances share (their in-context examples). */
function sharedPrefixes(records: InstanceRecord[]): Map<string, number> {
  const prompts = new Map<string, string[]>();
  for (const r of records) {
    const k = `${r.runName}\u0000${r.perturbation ?? ''}`;
    prompts.set(k, [...(prompts.get(k) ?? []), r.prompt]);
  }
  return new Map([...prompts].map(([k, ps]) => [k, sharedPrefixLength(ps)]));
}

function runInstances(run: ReportRun, ri: number, maxPerRun: number): BrowserInstance[] {
  const byName = new Map(run.results?.runs.map((r) => [r.name, r]) ?? []);
  const records = run.instances.slice(0, maxPerRun);
  const shared = sharedPrefixes(records);
  return records.map((rec) => {
    const spec = byName.get(rec.runName);
    const score = spec ? rec.scores[spec.mainMetric] : undefined;
    return {
      run: ri,
      task: rec.runName,
      id: rec.instanceId,
      perturbation: rec.perturbation,
      prompt: rec.prompt,
      preview: promptPreview(rec.prompt, promptShape(spec?.adapterSpec), shared.get(`${rec.runName}\u0000${rec.perturbation ?? ''}`)),
      completion: rec.completion?.text ?? null,
      references: rec.references.map((x) => [x.text, x.correct]),
      scores: rec.scores,
      ok: score === 1 ? true : score === 0 ? false : null,
      error: rec.error,
    };
  });
}

export function browserData(m: ReportModel, maxPerRun: number): BrowserData {
  const instances = m.runs.flatMap((run, ri) => runInstances(run, ri, maxPerRun));
  const total = m.runs.reduce((s, r) => s + r.instances.length, 0);
  return { runs: m.runs.map((r) => r.label), instances, truncated: instances.length < total, total };
}

/** One instance across two runs or checkpoints; shown when two or more runs have instances. */
export function sideBySideSection(m: ReportModel): string {
  if (m.runs.filter((r) => r.instances.length > 0).length < 2) return '';
  return `<section id="side-by-side"><h2>Side by side</h2>
<p class="note">One instance in two runs or checkpoints: its prompt, each one's completion and scores. Pick it here, or with ⇄ in the instance table.</p>
<div class="filters"><label>left <select id="sbs-a"></select></label><label>right <select id="sbs-b"></select></label><label>task <select id="sbs-task"><option value="">all</option></select></label>
<label>instance <select id="sbs-id"></select></label><label><input type="checkbox" id="sbs-flips"> only flips (right in one, wrong in the other)</label></div>
<div id="sbs-view"></div></section>`;
}

export function instancesSection(): string {
  return `<section id="instances"><h2>Instances</h2>
<div class="filters"><label>run <select id="f-run"><option value="">all</option></select></label><label>task <select id="f-task"><option value="">all</option></select></label>
<label>result <select id="f-ok"><option value="">all</option><option value="right">right</option><option value="wrong">wrong</option><option value="error">errors</option></select></label>
<label>search <input id="f-text" type="search" size="24"></label></div>
<p id="instance-count" class="note"></p>
<table id="instance-table"><colgroup><col style="width:8%"><col style="width:11%"><col style="width:10%"><col style="width:25%"><col style="width:17%"><col style="width:14%"><col style="width:10%"><col style="width:5%"></colgroup><thead><tr><th>run</th><th>task</th><th>instance</th><th>prompt</th><th>completion</th><th>references</th><th>scores</th><th>result</th></tr></thead><tbody id="instance-rows"></tbody></table>
<button id="instance-more" hidden>show more</button></section>`;
}

// Every file a scenario reads under the shipped suites' run entries is covered by its own module's
// data (a pin, or a pattern declared unpinned with a reason), so `data fetch/verify` cover a new
// scenario through its `data` alone.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listSuites, loadSuite } from '../../tasks/suites/suite.js';
import { parseRunEntry, splitArgs } from '../../tasks/run-entry.js';
import { findScenarioModule, listScenarioModules, runSpecsForEntry } from '../../tasks/scenario-registry.js';
import { bigBenchFile } from '../../tasks/scenarios/big-bench.js';
import { covers } from '../../tasks/data-source.js';
import { DATA_SOURCES } from '../../harness/commands/data.js';
import { selectSources } from '../../harness/data/sources.js';
import { bigBenchMcTask } from '../tasks/scenarios/fixtures.js';

function touch(dataDir: string, rel: string, text = ''): void {
  mkdirSync(dirname(join(dataDir, rel)), { recursive: true });
  writeFileSync(join(dataDir, rel), text);
}

describe('data sources', function () {
  this.timeout(60_000);
  let dataDir = '';
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'evalfirst-sources-'));
    // What the run specs and files() look at: BIG-bench task.json files, a MATH tree.
    touch(dataDir, 'MATH/train/algebra/1.json');
    touch(dataDir, 'MATH/test/algebra/1.json');
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function uncovered(entries: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const entry of entries) {
      const parsed = parseRunEntry(entry);
      if (parsed.name === 'big_bench') {
        const { task, subtask } = splitArgs(parsed).scenarioArgs;
        touch(dataDir, bigBenchFile(task!, subtask ?? ''), bigBenchMcTask());
      }
      const module = await findScenarioModule(parsed.name);
      for (const spec of await runSpecsForEntry(entry, { dataDir })) {
        for (const file of await spec.scenario.files(dataDir)) {
          if (!module.data || !covers(module.data, file)) out.push(`${entry}: ${file}`);
        }
      }
    }
    return out;
  }

  it("covers every file of every shipped suite's entries by the scenario's own pins or declared unpinned files", async () => {
    const entries = [...new Set(listSuites().flatMap((s) => loadSuite(s).entries))];
    // A scenario no shipped suite runs is checked on its bare entry (its default arguments).
    const inSuites = new Set(entries.map((e) => parseRunEntry(e).name));
    for (const m of await listScenarioModules()) if (!inSuites.has(m.name)) entries.push(m.name);
    expect(await uncovered(entries)).to.deep.equal([]);
    // CNN/DailyMail reads HELM's pickle when it is there (pinned), else JSON Lines (declared unpinned).
    touch(dataDir, 'cnndm/cnndm.pk');
    expect(await uncovered(entries.filter((e) => e.startsWith('summarization_cnndm')))).to.deep.equal([]);
  });

  it('each source has a unique name, distinct paths, and a reason for what it leaves unpinned', async () => {
    expect(() => selectSources([], DATA_SOURCES)).to.not.throw();
    for (const s of DATA_SOURCES) {
      expect(new Set(s.pins.map((p) => p.path)).size, s.name).to.equal(s.pins.length);
      for (const u of s.unpinned ?? []) expect(u.reason.length, s.name).to.be.greaterThan(20);
      if (s.pins.length === 0) expect(s.unpinned ?? [], `${s.name} has neither pins nor a reason`).to.not.be.empty;
    }
    // A scenario's source is named like the scenario, so `data fetch <scenario>` fetches what it reads.
    for (const m of await listScenarioModules()) if (m.data) expect(m.data.name).to.equal(m.name);
    expect(() => selectSources(['nope'], DATA_SOURCES)).to.throw(/unknown benchmark 'nope' \(known: bbq, big_bench/);
    expect(() => selectSources([], [...DATA_SOURCES, DATA_SOURCES[0]!])).to.throw(/'bbq' is declared twice/);
  });
});

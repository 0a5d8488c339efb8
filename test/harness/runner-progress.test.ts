import { expect } from 'chai';
import { createProgressReporter } from '../../harness/runner/progress.js';
import { renderErrorSummary, renderResultsTable, formatStat } from '../../reports/table.js';
import type { ResultsFile } from '../../core/results-schema.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('runner progress and the results table', () => {
  it('prints plain progress lines with rate and ETA when not on a terminal', () => {
    const s = fakeStream(false);
    const p = createProgressReporter(s, 0);
    p.update({ done: 5, total: 20, errors: 1, reused: 2 });
    p.stop();
    const lines = s.text.trim().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^eval: 5\/20 requests, [\d.]+\/s, ETA (\d+s|\?), 1 errors, 2 reused$/);
  });

  it('renders runs and groups with mean ± stderr, and the error summary', () => {
    const results = {
      runs: [
        { name: 'mmlu:subject=anatomy', mainMetric: 'exact_match', numRequests: 15, numErrors: 1, metrics: { exact_match: { mean: 0.5, stderr: 0.1336, count: 14 }, 'exact_match (robustness)': { mean: 0.25, stderr: 0.1, count: 14 } } },
      ],
      groups: [{ group: 'mmlu', mainMetric: 'exact_match', metrics: { exact_match: { mean: 0.5, stderr: 0.1336, count: 14, runs: 1 } } }],
      errors: { count: 1, first: [{ runName: 'mmlu:subject=anatomy', instanceId: 'id3', message: 'request req-1: missing key "text"' }] },
    } as unknown as ResultsFile;
    const table = renderResultsTable(results);
    expect(table).to.contain('mmlu:subject=anatomy');
    expect(table).to.contain('0.500 ± 0.134');
    expect(table).to.contain('0.250 ± 0.100');
    expect(table).to.match(/│ mmlu\s+│ exact_match\s+│ 0\.500 ± 0\.134/);
    expect(renderErrorSummary(results)).to.equal('1 request ended in error; first 1:\n  mmlu:subject=anatomy id3: request req-1: missing key "text"');
    expect(formatStat(undefined)).to.equal('-');
    expect(formatStat({ mean: 1, stderr: 0, count: 1 })).to.equal('1.000');
  });
});

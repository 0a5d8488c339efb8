// Adaptive vs full evaluation of intermediate checkpoints, by simulation: many checkpoints with
// known true accuracies answer a fixed-order question set; both procedures decide "target met?"
// at the same α. Reports requests used and the decision error rate of each.
import Table from 'cli-table3';
import { adaptivePlan, runAdaptive } from '../harness/supervisor/adaptive.js';
import { scoreInterval } from '../harness/stats/exact-intervals.js';
import { judgeTarget, parseTarget } from '../harness/supervisor/target.js';
import { uniforms } from '../kernels/rng.js';

interface Tally {
  requests: number;
  wrong: number;
  undecided: number;
}

export async function run(): Promise<void> {
  const threshold = 0.6;
  const target = parseTarget(`task >= ${threshold}`);
  const alpha = 0.05;
  const trials = 2000;
  const table = new Table({ style: { head: [], border: [] }, head: ['N (suite size)', 'procedure', 'requests / checkpoint', 'ratio', 'wrong decisions', 'undecided'] });
  for (const N of [500, 2000]) {
    const rand = uniforms(N);
    const full: Tally = { requests: 0, wrong: 0, undecided: 0 };
    const adaptive: Tally = { requests: 0, wrong: 0, undecided: 0 };
    for (let t = 0; t < trials; t++) {
      const p = 0.3 + 0.6 * rand(); // true accuracy, uniform on [0.3, 0.9]
      const answers = Array.from({ length: N }, () => (rand() < p ? 1 : 0));
      const truth = p >= threshold;
      // Full: the whole suite, one exact interval at level α.
      const f = judgeTarget(target, { task: scoreInterval(answers, alpha) });
      full.requests += N;
      if (f === 'undecided') full.undecided++;
      else if ((f === 'met') !== truth) full.wrong++;
      // Adaptive: geometric looks, α split over them.
      const looks = await runAdaptive(target, adaptivePlan(N, alpha, 1), async (n) => ({ task: answers.slice(0, n) }));
      const last = looks[looks.length - 1];
      adaptive.requests += last.n;
      if (last.verdict === 'undecided') adaptive.undecided++;
      else if ((last.verdict === 'met') !== truth) adaptive.wrong++;
    }
    const row = (name: string, x: Tally) => [
      String(N),
      name,
      (x.requests / trials).toFixed(0),
      (x.requests / full.requests).toFixed(3),
      `${x.wrong} (${((100 * x.wrong) / trials).toFixed(2)} %)`,
      `${x.undecided} (${((100 * x.undecided) / trials).toFixed(1)} %)`,
    ];
    table.push(row('full suite', full), row('adaptive', adaptive));
  }
  console.log(`${trials} simulated checkpoints per size, true accuracy ~ U[0.3, 0.9], target task >= ${threshold}, alpha ${alpha}`);
  console.log(table.toString());
  console.log('"undecided" = the true accuracy is too close to the target for either procedure to settle at this α; the supervisor treats it as not met yet.');
}

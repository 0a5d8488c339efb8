// Every scenario module, in one static list: a new benchmark is its scenario file (and a metric
// file) plus one line here (test/tasks/run-entry.test.ts fails when a scenario file is not listed).
import type { ScenarioModule } from '../run-spec.js';
import { scenarioModule as bbq } from './bbq.js';
import { scenarioModule as bigBench } from './big-bench.js';
import { scenarioModule as corr2cause } from './corr2cause.js';
import { scenarioModules as ethics } from './ethics.js';
import { scenarioModule as gsm } from './gsm.js';
import { scenarioModule as math } from './math.js';
import { scenarioModules as mini } from './mini.js';
import { scenarioModule as mmlu } from './mmlu.js';
import { scenarioModule as samSum } from './sam-sum.js';
import { scenarioModule as cnndm } from './summarization-cnndm.js';
import { scenarioModule as truthfulQa } from './truthful-qa.js';

export const SCENARIO_MODULES: readonly ScenarioModule[] = [bbq, bigBench, corr2cause, ...ethics, gsm, math, ...mini, mmlu, samSum, cnndm, truthfulQa];

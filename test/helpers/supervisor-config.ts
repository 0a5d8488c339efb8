// A SupervisorConfig for tests: a scripted trainer writing to `outDir`, short timings, no rule on.
import { fileURLToPath } from 'node:url';
import type { SupervisorConfig } from '../../harness/supervisor/supervisor.js';

export const SCRIPTED_TRAINER = fileURLToPath(new URL('../fixtures/supervisor/scripted-trainer.mjs', import.meta.url));

export function supervisorConfig(runDir: string, outDir: string, over: Partial<SupervisorConfig>, trainerArgs: string): SupervisorConfig {
  return {
    runDir,
    trainerCommand: `${JSON.stringify(process.execPath)} ${JSON.stringify(SCRIPTED_TRAINER)} --out ${JSON.stringify(outDir)} ${trainerArgs}`,
    trainerCwd: runDir,
    watchDir: null,
    watchIntervalMs: 100,
    checkpointRoots: [outDir], // the scripted trainer reports checkpoints outside the run directory
    target: null,
    alpha: 0.05,
    adaptive: true,
    n0: 16,
    patience: null,
    minDelta: 0,
    deadlineS: 120,
    graceS: 1,
    maxSteps: null,
    marginFraction: 0.1,
    marginFloorS: 0.2,
    finalEval: true,
    resume: false,
    ...over,
  };
}

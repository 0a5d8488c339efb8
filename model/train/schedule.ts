// Learning-rate schedule: linear warmup from 0, then cosine decay to minLrRatio·lr at totalSteps
// (transformers' get_cosine_schedule_with_warmup when minLrRatio = 0).
export interface ScheduleOptions {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  minLrRatio: number;
}

/** LR used for optimizer step `step` (1-based). */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (o.warmupSteps > 0 && step <= o.warmupSteps) return (o.lr * step) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, (step - o.warmupSteps) / span);
  const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
  return o.lr * (o.minLrRatio + (1 - o.minLrRatio) * cosine);
}

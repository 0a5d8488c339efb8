// `evalfirst pretrain-base` (npm run pretrain-base): reproduces the shipped tiny base by pretraining
// it from scratch on the mini-challenge world's corpus.
import { Command } from 'commander';
import { UserError } from '../../core/errors.js';

export function command(): Command {
  return new Command('pretrain-base')
    .description('pretrain the shipped tiny base from scratch on the mini-challenge corpus (deterministic)')
    .option('--out <dir>', 'output model folder (default: the shipped model/assets/tiny-base)')
    .option('--steps <n>', 'optimizer steps (default: the shipped recipe)')
    .option('--seed <s>', 'initialisation and data-order seed', '0')
    .action(async (o) => {
      const { pretrainTinyBase } = await import('../../model/train/pretrain.js');
      const { TINY_BASE_PATH } = await import('../../model/assets/shipped.js');
      const steps = o.steps === undefined ? undefined : Number(o.steps);
      if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new UserError(`--steps must be a positive integer, got "${o.steps}"`);
      const res = await pretrainTinyBase({
        outDir: o.out ?? TINY_BASE_PATH,
        seed: Number(o.seed),
        steps,
        onLog: (e) => console.log(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.learning_rate.toExponential(2)}  ${e.elapsed_s.toFixed(0)}s`),
      });
      console.log(`${res.outDir}: ${res.parameters} parameters, ${res.steps} steps, final loss ${res.finalLoss.toFixed(4)}, ${res.tokensPerSecond.toFixed(0)} tokens/s, ${res.elapsedSeconds.toFixed(0)} s`);
    });
}

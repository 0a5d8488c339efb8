// `evalfirst pretrain-base` (npm run pretrain-base): reproduces the shipped tiny base by pretraining
// it from scratch on the mini-challenge world's corpus.
import { Command } from 'commander';
import { numberFlag, NON_NEGATIVE_INT, POSITIVE_INT } from '../../core/number-flag.js';
import { pretrainTinyBase } from '../../tasks/mini/tiny-base.js';
import { TINY_BASE_PATH } from '../../model/assets/shipped.js';

export function command(): Command {
  return new Command('pretrain-base')
    .description('pretrain the shipped tiny base from scratch on the mini-challenge corpus (deterministic)')
    .option('--out <dir>', 'output model folder (default: the shipped model/assets/tiny-base)')
    .option('--steps <n>', 'optimizer steps (default: the shipped recipe)', numberFlag('--steps', POSITIVE_INT))
    .option('--seed <s>', 'initialisation and data-order seed', numberFlag('--seed', NON_NEGATIVE_INT), 0)
    .action(async (o) => {
      const res = await pretrainTinyBase({
        outDir: o.out ?? TINY_BASE_PATH,
        seed: o.seed,
        steps: o.steps,
        onLog: (e) => console.log(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.learning_rate.toExponential(2)}  ${e.elapsed_s.toFixed(0)}s`),
      });
      console.log(`${res.outDir}: ${res.parameters} parameters, ${res.steps} steps, final loss ${res.finalLoss.toFixed(4)}, ${res.tokensPerSecond.toFixed(0)} tokens/s, ${res.elapsedSeconds.toFixed(0)} s`);
    });
}

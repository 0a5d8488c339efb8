// `evalfirst models`: the base models shipped with evalfirst and where they are.
import { Command } from 'commander';
import { shippedModels } from '../../model/assets/shipped.js';

export function command(): Command {
  return new Command('models')
    .description('list the shipped base models with their paths')
    .option('--json', 'print JSON')
    .action((o) => {
      const models = shippedModels();
      if (o.json) {
        console.log(JSON.stringify(models, null, 2));
        return;
      }
      for (const m of models) console.log(`${m.name}\t${m.path}\t${m.description}`);
    });
}

// `evalfirst start`: the main job run by `npm start`. Until the embedded model and trainer exist it
// prints the help and a usage example; later issues make it the closed training-evaluation loop.
import { Command } from 'commander';

export function command(): Command {
  return new Command('start')
    .description('run the main job on the embedded default (what `npm start` runs)')
    .action(async () => {
      const { buildProgram } = await import('../cli.js');
      const program = await buildProgram();
      console.log(program.helpInformation());
      console.log('Example: evalfirst eval --suite neurips-smoke --server http://localhost:8080 --data-dir ../shared/datasets');
    });
}

// `evalfirst serve`: the embedded runtime behind the challenge HTTP protocol (/process, /tokenize,
// /decode), so HELM or `evalfirst eval --server` can score a local checkpoint.
import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { parseNumber, PORT, POSITIVE_INT } from '../../core/number-flag.js';
import { createBackend } from '../../model/backends/factory.js';
import { startChallengeServer } from '../../model/serve/challenge-server.js';

export function command(): Command {
  return new Command('serve')
    .description('serve a local LLaMA checkpoint over the challenge protocol (/process, /tokenize, /decode)')
    .requiredOption('--model <path>', 'HF model directory (config.json, safetensors, tokenizer.json) or a .gguf file')
    .option('--adapter <dir>', 'PEFT LoRA adapter directory applied over the base')
    .addOption(new Option('--quant <mode>', 'quantize the projections on load').choices(['none', 'nf4']).default('none'))
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--threads <n>', 'worker threads for the kernels')
    .action(async (o: { model: string; adapter?: string; quant: 'none' | 'nf4'; port: string; host: string; threads?: string }) => {
      const port = parseNumber('--port', o.port, PORT);
      const backend = await createBackend({ kind: 'embedded', protocol: 'embedded', model: o.model, adapter: o.adapter, quant: o.quant, threads: o.threads === undefined ? undefined : parseNumber('--threads', o.threads, POSITIVE_INT) });
      let running;
      try {
        running = await startChallengeServer(backend, { host: o.host, port, log: (l) => console.error(`serve: ${l}`) });
      } catch (e) {
        throw new UserError(`cannot listen on ${o.host}:${port}: ${(e as Error).message}`);
      }
      const c = backend.loaded.model.config;
      console.log(`serving ${backend.loaded.path} (${backend.loaded.format}, ${c.nLayers} layers, dim ${c.dim}, vocab ${c.vocabSize}, quant ${o.quant}${o.adapter ? `, adapter ${o.adapter}` : ''})`);
      console.log(`listening on ${running.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void running.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

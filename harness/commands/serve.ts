// `evalfirst serve`: the embedded runtime behind the challenge HTTP protocol (/process, /tokenize,
// /decode), so HELM or `evalfirst eval --server` can score a local checkpoint.
import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';

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
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${o.port}: not a port number`);
      const { createEmbeddedBackend } = await import('../../model/backends/embedded.js');
      const { startChallengeServer } = await import('../../model/serve/challenge-server.js');
      const backend = await createEmbeddedBackend({ model: o.model, adapter: o.adapter, quant: o.quant, threads: o.threads ? Number(o.threads) : undefined });
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

// `evalfirst check-server URL`: does a server behave as HELM's challenge client needs? A readable
// line per check (PASS, FAIL, WARN: HELM copes at some cost, INFO: facts such as the model's
// context) and exit code 0 (no check failed) or 1 (any failed).
import { Command, Option } from 'commander';
import { createBackend, parseProtocol, parseServerList } from '../../model/backends/factory.js';
import { numberFlag } from '../../core/number-flag.js';
import { checkServer, type CheckResult } from '../../model/backends/conformance.js';

export function renderChecks(results: CheckResult[]): string {
  const label = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', info: 'INFO', skip: 'SKIP' } as const;
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${label[r.status]}  ${r.name.padEnd(width)}  ${r.detail}`);
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.filter((r) => r.status === 'fail');
  const warned = results.filter((r) => r.status === 'warn');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const warnings = warned.length ? `${plural(warned.length, 'warning')}: ${warned.map((w) => w.name).join(', ')}` : '';
  const verdict = failed.length === 0 ? `all ${passed} checks passed` : `${plural(failed.length, 'check')} failed: ${failed.map((f) => f.name).join(', ')}`;
  lines.push('', warnings ? `${verdict}; ${warnings}` : verdict);
  return lines.join('\n');
}

export function command(): Command {
  return new Command('check-server')
    .description("check that a model server speaks the challenge protocol as HELM needs (keys, stop sequences, max tokens, determinism, tokenizer, context, HELM's longest prompt)")
    .argument('<url>', 'server base URL')
    .addOption(new Option('--protocol <p>', 'server protocol').choices(['neurips', 'openai']).default('neurips'))
    .option('--model-name <name>', 'model name for an OpenAI-compatible server')
    .option('--tokenizer <tokenizer.json>', 'check tokenization with this local tokenizer instead of the server\'s')
    .option('--timeout <seconds>', 'per-request timeout in seconds', numberFlag('--timeout', { min: 0.001 }), 120)
    .option('--json', 'print the results as JSON')
    .action(async (url: string, flags: { protocol: string; modelName?: string; tokenizer?: string; timeout: number; json?: boolean }) => {
      const backend = await createBackend({
        kind: 'http',
        protocol: parseProtocol(flags.protocol),
        urls: parseServerList(url),
        modelName: flags.modelName,
        tokenizerPath: flags.tokenizer,
        timeoutMs: flags.timeout * 1000,
        retries: 1,
      });
      const results = await checkServer(backend);
      if (flags.json) console.log(JSON.stringify(results, null, 2));
      else console.log(renderChecks(results));
      process.exitCode = results.some((r) => r.status === 'fail') ? 1 : 0;
    });
}

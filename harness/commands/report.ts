// `evalfirst report RUN_DIR... -o report.html [--serve [--port N]]`: one self-contained HTML file;
// --serve keeps serving it on 127.0.0.1 (re-read on every request, so rewrites show on reload).
// A training run directory shows what train's own report.html shows (reports/html/report-model.ts).
import { Command, Option } from 'commander';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeReport } from '../../reports/html/write-report.js';
import { UserError } from '../../core/errors.js';
import { numberFlag, PORT } from '../../core/number-flag.js';

export function command(): Command {
  return new Command('report')
    .description('write one self-contained HTML report (charts, comparison, leaderboard, instance browser) of run directories')
    .argument('<run_dirs...>', 'run directories (results.json + instances.jsonl); a training run (train.json) brings its baseline and best-checkpoint full evaluations from evals/step-N-full')
    .option('-o, --output <file>', 'the HTML file to write', 'report.html')
    .option('--serve', 'serve the report on 127.0.0.1 until interrupted')
    .addOption(new Option('--port <n>', 'port for --serve (0 picks a free one)').default(8787).argParser(numberFlag('--port', PORT)))
    .action(async (runDirs: string[], opts: { output: string; serve?: boolean; port: number }) => {
      const out = resolve(opts.output);
      await writeReport(runDirs, out);
      console.log(`wrote ${out}`);
      if (!opts.serve) return;
      const server = createServer((req, res) => {
        if (req.url !== '/' && req.url !== '/index.html' && req.url !== '/report.html') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        let body: Buffer;
        try {
          body = readFileSync(out);
        } catch (err) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot read ${out}: ${(err as Error).message}\n`);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
      });
      await new Promise<void>((ok, fail) => {
        server.once('error', (e: NodeJS.ErrnoException) => fail(new UserError(`--serve: cannot listen on 127.0.0.1:${opts.port} (${e.code ?? e.message})`)));
        server.listen(opts.port, '127.0.0.1', () => ok());
      });
      const addr = server.address();
      console.log(`serving http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : opts.port}/ (Ctrl-C to stop)`);
      await new Promise<void>((done) => {
        const stop = () => server.close(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

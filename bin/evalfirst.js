#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const compiled = fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('evalfirst: dist/ is missing; run `npm ci` or `npm run build` first.');
  process.exit(2);
}
const { main } = await import(compiled);
process.exitCode = await main(process.argv.slice(2));

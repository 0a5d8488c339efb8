// The layer rule of ARCHITECTURE.md, checked by `npm run deps` (part of `npm test`): an import goes
// down or sideways, never up, and there are no import circles.
//   core → kernels → model → tasks → harness (runner, supervisor, gate, compare, stats...) → reports → CLI
// The CLI (harness/cli.ts, harness/commands/) is the roof: nothing imports it.
const CLI = '^harness/(cli\\.ts|commands/)';
const above = {
  core: '^(kernels|model|tasks|harness|reports)/',
  kernels: '^(model|tasks|harness|reports)/',
  model: '^(tasks|harness|reports)/',
  tasks: '^(harness|reports)/',
  harness: '^reports/',
};
const layerRule = (layer, to) => ({
  name: `${layer}-imports-up`,
  comment: `${layer}/ may import only the layers below it (ARCHITECTURE.md)`,
  severity: 'error',
  from: { path: `^${layer}/`, pathNot: layer === 'harness' ? CLI : undefined },
  to: { path: to },
});
module.exports = {
  forbidden: [
    ...Object.entries(above).map(([layer, to]) => layerRule(layer, to)),
    {
      name: 'nothing-imports-the-cli',
      comment: 'the CLI is the roof: only bin/ (through dist/) starts it',
      severity: 'error',
      from: { path: '^(core|kernels|model|tasks|harness|reports|bench)/', pathNot: CLI },
      to: { path: CLI },
    },
    {
      name: 'no-circular',
      comment: 'import circles make load order matter and layers meaningless',
      severity: 'error',
      from: { path: '^(core|kernels|model|tasks|harness|reports)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-tests',
      comment: 'product code never imports test helpers',
      severity: 'error',
      from: { path: '^(core|kernels|model|tasks|harness|reports)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};

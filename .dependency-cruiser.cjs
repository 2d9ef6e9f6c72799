/**
 * The layers of idp-conformance, bottom to top: a module imports only its own layer and the ones below it, and no
 * import goes in a circle. `npm test` runs this (npm run check:layers); test/layers.test.ts shows that a planted
 * upward import fails it. Why these layers: docs/architecture.md.
 */
const LAYERS = [
  // 0: the vocabulary floor (exchange, target, result, status, severity, profile, flavour names, result key), the
  //    types generated from the schemas, and utilities that know nothing of OAuth's objects.
  { name: 'vocabulary', path: '^src/(vocabulary|util|types)/|^src/generated/(schemas|defaults)\\.ts$' },
  // 1: schemas (validators) and checks (each with its logic), and the parsing of a captured response they judge.
  { name: 'checks', path: '^src/(schemas|http|checks)/|^src/generated/validators/' },
  // 2: the flavours' descriptors (what each IdP documents, its deviations).
  { name: 'flavours', path: '^src/flavours/' },
  // 3: the mock IdPs and the verdict (one place that turns an outcome into status, severity, deviation).
  { name: 'mocks-verdict', path: '^mocks/|^src/verdict/' },
  // 4: the HTTP session, the evidence book and the scenario vocabulary suites are written in; the validator.
  { name: 'session', path: '^src/(session|validate)/' },
  // 5: the suites.
  { name: 'suites', path: '^suites/' },
  // 6: the runner (plan, run, target, preflight) and the reporters.
  { name: 'runner', path: '^src/runner/' },
  // 7: the CLI and the package's entry points.
  { name: 'cli', path: '^src/cli/|^src/(index|vitest)\\.ts$' },
];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle ties files that should be read one after the other.', from: {}, to: { circular: true } },
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer.name}`,
      severity: 'error',
      comment: `${layer.name} imports only its own layer and those below: ${LAYERS.slice(0, i + 1).map((l) => l.name).join(', ')}`,
      from: { path: layer.path },
      to: { path: LAYERS.slice(i + 1).map((l) => `(${l.path})`).join('|') },
    })),
    {
      name: 'vocabulary-imports-nothing',
      severity: 'error',
      comment: 'The vocabulary floor imports nothing of the project but the generated schema types.',
      from: { path: '^src/vocabulary/' },
      to: { path: '^(src|mocks|suites)/', pathNot: '^src/(vocabulary/|generated/schemas\\.ts$)' },
    },
    {
      name: 'not-in-a-layer',
      severity: 'error',
      comment: 'Every product module belongs to a layer (add a new directory to LAYERS).',
      from: { path: '^(src|mocks|suites)/', pathNot: LAYERS.map((l) => `(${l.path})`).join('|') },
      to: {},
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$|\\.d\\.ts$' },
  },
};

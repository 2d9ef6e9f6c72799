import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { PROFILES, SUITE_NAMES, type Profile } from '../checks/define.js';
import { FLAVOUR_NAMES } from '../flavours/index.js';
import { packageVersion } from '../util/paths.js';
import { EXIT, UsageError } from './errors.js';
import { joinNegativeValues } from './input.js';
import { RUN_EPILOG, RUN_OPTIONS, runFromOptions, type ParsedRunOptions } from './run-options.js';
import { MOCK_OPTIONS } from './mock-options.js';

// Each command loads its implementation when it runs: help, --version, `checks` or `validate` never pay for the
// runner (undici, fast-check, jose) or the mocks.

const print = (text: string) => process.stdout.write(`${text}\n`);

export async function runCli(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const cli = yargs(joinNegativeValues(argv))
    .scriptName('idpc')
    .usage('$0 <command>\n\nidp-conformance: does this OAuth2 token endpoint behave as it must?')
    .command(
      'validate [file]',
      'Validate a captured body or whole HTTP response against a flavour schema and the RFC 6749 rules',
      (y) =>
        y
          .positional('file', {
            type: 'string',
            default: '-',
            describe: 'File with the body or the HTTP response (status line, headers, body); - for standard input',
          })
          .option('flavour', {
            alias: 'f',
            type: 'string',
            demandOption: true,
            describe: `One of ${FLAVOUR_NAMES.join(', ')}`,
          })
          .option('kind', {
            alias: 'k',
            type: 'string',
            default: 'token-response',
            describe: 'token-response (token), token-error (error), resource-error, ... (see `idpc schemas list`)',
          })
          .option('profile', {
            choices: PROFILES,
            default: 'rfc6749' as Profile,
            describe: 'Which spec decides severities',
          })
          .option('strict', {
            type: 'boolean',
            default: false,
            describe: 'Also list members the flavour does not declare',
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
          .example('$0 validate -f portal -k token response.json', 'validate a saved token response body')
          .example('curl -si ... | $0 validate -f keycloak -k error -', 'validate a whole captured error response'),
      async (args) => {
        const { formatReport, runValidate } = await import('./validate.js');
        const report = runValidate({
          flavour: args.flavour,
          kind: args.kind,
          file: args.file,
          profile: args.profile,
          strict: args.strict,
        });
        print(
          args.json ? JSON.stringify(report, null, 2) : formatReport(report, args.file === '-' ? 'stdin' : args.file),
        );
        exitCode = report.valid ? EXIT.ok : EXIT.findings;
      },
    )
    .command('schemas', 'List the bundled JSON Schemas, or export them to a directory', (y) =>
      y
        .command(
          'list',
          'List schemas by flavour and kind',
          (yy) => yy.option('json', { type: 'boolean', default: false }),
          async (args) => {
            const { publicSchemaEntries } = await import('../schemas/catalog.js');
            const rows = publicSchemaEntries().map((e) => ({
              flavour: e.group,
              kind: e.kind,
              id: e.schema.$id,
              title: e.schema.title ?? '',
            }));
            print(
              args.json
                ? JSON.stringify(rows, null, 2)
                : rows.map((r) => `${r.flavour.padEnd(9)} ${r.kind.padEnd(20)} ${r.title}`).join('\n'),
            );
          },
        )
        .command(
          'export <dir>',
          'Write every schema (with its $id layout) into DIR',
          (yy) => yy.positional('dir', { type: 'string', demandOption: true }),
          async (args) => {
            const { schemaEntries } = await import('../schemas/catalog.js');
            const target = resolve(args.dir);
            try {
              // Building blocks (common/defs) too, so that the exported $refs resolve.
              for (const e of schemaEntries()) {
                mkdirSync(join(target, e.group), { recursive: true });
                writeFileSync(join(target, e.file), `${JSON.stringify(e.schema, null, 2)}\n`);
              }
            } catch (e) {
              throw new UsageError(
                `cannot write to ${args.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
              );
            }
            print(`exported schemas to ${target}`);
          },
        )
        .demandCommand(1, 'name an action: idpc schemas list, or idpc schemas export DIR'),
    )
    .command(
      'mock <flavour>',
      'Start a mock IdP of a flavour (127.0.0.1, free port unless --port); prints its URLs and seeded credentials',
      (y) =>
        y
          .positional('flavour', {
            type: 'string',
            demandOption: true,
            describe: 'portal, keycloak, rator or infolink',
          })
          .options(MOCK_OPTIONS),
      // Normally reached only for --help: main.ts starts mocks without loading yargs (start-up time).
      async (args) => {
        const { runMockCommand } = await import('./mock.js');
        await runMockCommand(args as unknown as Parameters<typeof runMockCommand>[0]);
      },
    )
    .command(
      'run',
      `Run the conformance suites (${SUITE_NAMES.join(', ')}) against a mock or a configured target`,
      (y) =>
        y
          .options(RUN_OPTIONS)
          .epilog(RUN_EPILOG)
          .example('$0 run --mock all', 'every flavour against its mock')
          .example('$0 run --mock all --report html', 'one readable page: reports/idpc-report.html')
          .example('$0 run --target keycloak.target.yaml --report junit --rate 5/s', 'a real endpoint, politely'),
      // Normally reached only for --help: main.ts parses a run without yargs (parseRunArgs, the same options).
      async (args) => {
        exitCode = await runFromOptions(args as unknown as ParsedRunOptions);
      },
    )
    .command(
      'checks [ids..]',
      'List every check (or the ones named, e.g. TE-C13, in full): id, title, level, requirement, severity per profile, variants, suites, documented deviations',
      (y) =>
        y
          .positional('ids', { type: 'string', array: true, describe: 'Check ids (any case); without: all' })
          .option('json', { type: 'boolean', default: false, describe: 'As JSON' }),
      async (args) => {
        const { listChecks, formatChecks, formatCheckDetail, selectChecks } = await import('./checks.js');
        const ids = (args.ids ?? []).map(String);
        const list = ids.length ? selectChecks(listChecks(), ids) : listChecks();
        print(
          args.json
            ? JSON.stringify(list, null, 2)
            : ids.length
              ? list.map(formatCheckDetail).join('\n\n')
              : formatChecks(list),
        );
      },
    )
    .command(
      'replay [file]',
      'Re-run the failures recorded by idpc run (reports/idpc-failures.json) with their seeds',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'The failure file a run wrote (reports/idpc-failures.json)' })
          .option('report-dir', { type: 'string', default: 'reports' })
          .option('target', {
            type: 'string',
            describe: 'The target config to replay against (when the recorded one moved or changed)',
          })
          .option('store', {
            type: 'string',
            describe:
              'The shared store of a mock run, named again (default: $IDPC_STORE): never taken from the file alone',
          }),
      async (args) => {
        if (!args.file)
          throw new UsageError('name the failure file a run recorded: idpc replay reports/idpc-failures.json');
        const { replayCommand } = await import('./run.js');
        exitCode = await replayCommand(args.file, args.reportDir, print, {
          ...(args.target ? { target: args.target } : {}),
          ...(args.store ? { store: args.store } : {}),
        });
      },
    )
    .command(
      'init',
      'Write a commented target-config template for a flavour',
      (y) =>
        y
          .option('flavour', { alias: 'f', type: 'string', demandOption: true })
          .option('out', { alias: 'o', type: 'string', describe: 'File to write (default: print)' }),
      async (args) => {
        const { initTemplate } = await import('./run.js');
        const text = initTemplate(args.flavour);
        if (args.out) {
          writeFileSync(args.out, text, { flag: 'wx' });
          print(`wrote ${args.out}`);
        } else print(text);
      },
    )
    .command('fixtures', 'Check the bundled fixtures against their labels', (yf) =>
      yf
        .command(
          'check',
          "Validate every bundled fixture (the provider documents' examples and the negative cases) and compare with its label",
          (y) => y.option('json', { type: 'boolean', default: false }),
          async (args) => {
            const { checkAllFixtures } = await import('../validate/fixtures.js');
            const results = checkAllFixtures();
            if (args.json)
              print(
                JSON.stringify(
                  results.map((r) => ({
                    file: r.fixture.file,
                    verdict: r.report.valid ? 'valid' : 'invalid',
                    asLabelled: r.problems.length === 0,
                    problems: r.problems,
                    findings: r.report.findings,
                  })),
                  null,
                  2,
                ),
              );
            else {
              for (const r of results) {
                const verdict = r.report.valid ? 'VALID  ' : 'INVALID';
                print(
                  `${r.problems.length ? 'MISMATCH' : 'ok      '} ${verdict} ${r.fixture.flavour.padEnd(8)} ${r.fixture.kind.padEnd(19)} ${r.fixture.file}`,
                );
                print(`         ${r.fixture.label}`);
                for (const p of r.problems) print(`         !! ${p}`);
              }
              const bad = results.filter((r) => r.problems.length).length;
              print(
                `\n${results.length} fixtures: ${results.filter((r) => r.report.valid).length} valid, ${results.filter((r) => !r.report.valid).length} invalid; ${bad === 0 ? 'all as labelled' : `${bad} NOT as labelled`}`,
              );
            }
            exitCode = results.some((r) => r.problems.length) ? EXIT.findings : EXIT.ok;
          },
        )
        .demandCommand(1, 'name an action: idpc fixtures check'),
    )
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    // Read (and removed from argv) in main.ts before yargs runs; declared here so that help shows it.
    .option('flavour-module', {
      type: 'string',
      global: true,
      describe: 'Register a flavour from an ES module (repeatable; also IDPC_FLAVOUR_MODULES)',
    })
    .help()
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs' own parse errors (a coerce that refused a value included) are usage errors; anything else stays itself.
      if (error && error.name === 'YError') throw new UsageError(error.message);
      throw error ?? new UsageError(message);
    });
  await cli.parseAsync();
  return exitCode;
}

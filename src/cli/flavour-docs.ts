/**
 * docs/flavours.md, generated from the flavour descriptors and their mocks (`npm run gen:docs`; a test fails when it
 * is stale): what each flavour answers on the wire, where it departs from the RFC on purpose and where that is
 * written in the provider's code, which presets its mock has, and the choices where the public material is silent.
 */
import type { FlavourMock } from '../../mocks/core/flavour.js';
import { FLAVOURS, FLAVOUR_NAMES, type FlavourDescriptor } from '../flavours/index.js';

const CAUSES: Record<string, string> = {
  'missing-grant-type': 'no grant_type',
  'unknown-grant-type': 'an unknown grant_type',
  'bad-password': 'a wrong password',
  'unknown-user': 'an unknown user',
  'bad-client-secret': 'a wrong client secret',
  'unknown-client': 'an unknown client',
  'missing-refresh-token': 'no refresh_token',
  'bad-refresh-token': 'an invalid refresh token',
};

const REFRESH: Record<string, string> = {
  'rotate-revoke': 'a refresh returns a new refresh token and retires the old one',
  rotate: 'a refresh returns a new refresh token; the old one keeps working',
  reuse: 'a refresh returns the same refresh token again',
  unknown: 'not documented: declare it in the target config (policies.refreshRotation)',
};

const cell = (s: string) => s.replace(/\|/g, '\\|');

function section(d: FlavourDescriptor, mock: FlavourMock | undefined): string[] {
  const out = [`## ${d.name}: ${d.title}`, ''];
  out.push(
    `- Token endpoint: \`POST {baseUrl}${d.configPaths.token}\` (the mock serves \`${d.tokenPath}\`)${d.configPaths.revocation ? `; revocation \`${d.configPaths.revocation}\`` : ''}${d.configPaths.logout ? `; logout \`${d.configPaths.logout}\`` : ''}${d.configPaths.discovery ? `; discovery \`${d.configPaths.discovery}\`` : ''}.`,
  );
  if (d.resource)
    out.push(
      `- Bearer resource the suites probe: \`${d.resource.method} ${d.resource.path}\`${
        d.resource.headers
          ? ` with ${Object.keys(d.resource.headers)
              .map((h) => `\`${h}\``)
              .join(', ')}`
          : ''
      }.`,
    );
  out.push(
    `- Grants: ${d.grants.map((g) => `\`${g}\``).join(', ')}. Client authentication: ${d.clientAuth.join(', ')}. token_type: ${d.tokenTypes.map((t) => `\`${t}\``).join(', ')}.`,
  );
  for (const p of d.requiredParams ?? [])
    out.push(`- Required on every token request: ${p.description} (${p.names.map((n) => `\`${n}\``).join(' or ')}).`);
  if (d.noScopes)
    out.push(`- Scopes: none (${d.noScopes}); the scope checks (TE-C9..C11, TE-F4, TE-G7..G10) do not apply.`);
  out.push(`- Refresh: ${REFRESH[d.refreshMode]}.`);
  if (d.oidc) out.push('- OpenID provider: the JWT checks (series L) ask for scope openid and check the ID token.');
  if (d.configPaths.authorization && d.browser)
    out.push(
      `- Browser flow (suite authorization-code, series P): authorization endpoint \`{baseUrl}${d.configPaths.authorization}\`; the login driver's defaults: ${d.browser.formSelector ? `form \`${d.browser.formSelector}\`` : 'the form with a password field'}, fields \`${d.browser.usernameField}\` and \`${d.browser.passwordField}\`; ${d.browser.openid ? 'OpenID Connect (scope openid with a nonce, prompt=none)' : 'no OpenID Connect'}; codes live ${d.browser.codeLifetime} s.`,
    );
  if (d.sessionLimitStatus)
    out.push(
      `- A login beyond a configured session limit is refused with ${d.sessionLimitStatus} (series M, with policies.sessionLimit).`,
    );
  if (mock)
    out.push(
      `- Mock presets: ${Object.keys(mock.presets)
        .map((p) => `\`${p}\`${p === mock.defaultPreset ? ' (default)' : ''}`)
        .join(', ')}.`,
    );
  const errors = Object.entries(d.expectedErrors);
  if (errors.length) {
    out.push('', '| request with | status | error | error_description |', '|---|---|---|---|');
    for (const [cause, e] of errors)
      out.push(
        `| ${CAUSES[cause] ?? cause} | ${e!.status} | \`${e!.error}\` | ${e!.description ? cell(e!.description) : ''} |`,
      );
    for (const [preset, byCause] of Object.entries(d.expectedErrorsByPreset ?? {})) {
      for (const [cause, e] of Object.entries(byCause))
        out.push(
          `| ${CAUSES[cause] ?? cause} (preset ${preset}) | ${e!.status} | \`${e!.error}\` | ${e!.description ? cell(e!.description) : ''} |`,
        );
    }
  }
  if (d.deviations.length) {
    out.push('', '**Documented deviations** (reported as such, not as failures):', '');
    for (const v of d.deviations)
      out.push(
        `- ${v.checks.map((c) => `[${c}](checks.md#${c.toLowerCase()})`).join(', ')}: ${v.reason}. Source: ${v.source}.`,
      );
  }
  if (d.choices?.length) {
    out.push(
      '',
      '**Choices** where the public material is silent (the mock answers so; a real server may differ):',
      '',
    );
    for (const c of d.choices) out.push(`- ${c}`);
  }
  out.push('');
  return out;
}

/** The whole document; the mocks are given so that their presets are listed (a flavour without a mock has none). */
export function flavoursMarkdown(mocks: Record<string, FlavourMock>): string {
  const out = [
    '# Flavours',
    '',
    'Generated from the flavour descriptors (`src/flavours/`) and their mocks by `npm run gen:docs`. A flavour is what',
    'a real token endpoint of that kind answers: its paths, grants and client authentication, its documented error',
    'answers, and where it departs from RFC 6749 on purpose (a deviation names the checks it affects and where the',
    "behaviour is written in the provider's code). A conformance run reports a documented deviation as such, so that",
    'conformance to the flavour and to the RFC are both visible. See [checks.md](checks.md) for every check.',
    '',
  ];
  for (const name of FLAVOUR_NAMES) out.push(...section(FLAVOURS[name], mocks[name]));
  out.push(
    '## Adding a flavour',
    '',
    'A flavour of your own is one ES module exporting `flavour = { descriptor, mock }`: the descriptor as the ones',
    'above (`src/flavours/types.ts`, `FlavourDescriptor`, with `rfcBaseline: true`: its bodies are judged by the RFC',
    '6749 schemas), and optionally a mock built from `idp-conformance/mocks` (`pathRoute`, `formOf`, `Params`, ...).',
    'Register it with `--flavour-module FILE` on any command (or `IDPC_FLAVOUR_MODULES`); no file of this package',
    'changes. `test/fixtures/flavours/` holds a complete example, run as a real target by the test suite.',
    '',
    "A mock's grants go through `ctx.grants` (issue, lookupAccess, lookupRefresh, refreshGrant, revoke...), which are",
    'asynchronous: the records may live in Redis, shared by replicas. `refreshGrant` answers `{ lost }` when a',
    'concurrent request used the refresh token first and it is spent now: answer it as the replay it has become. A mock',
    "whose state all lives in `ctx.grants` (or in the store's documents: `ctx.grants.store.getDoc`, `putDoc`,",
    '`exclusive`) sets `sharesStore: true`; without it, `--store redis://…` is refused for the flavour in one line.',
    '',
  );
  return out.join('\n');
}

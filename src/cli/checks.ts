/** `idpc checks [ID...] [--json]`: the registry, with each check's severity per profile and the suites that report it. */
import { FLAVOURS, FLAVOUR_NAMES, type FlavourName } from '../flavours/index.js';
import { PROFILES, type Profile, type Severity } from '../checks/define.js';
import { ALL_CHECKS } from '../checks/registry.js';
import { seriesTitle } from '../checks/series.js';
import { refsOf } from '../runner/plan.js';
import { SUITES } from '../runner/run.js';
import { severityOf } from '../verdict/index.js';
import { UsageError } from './errors.js';

export interface CheckListing {
  id: string;
  title: string;
  level: string;
  requirement: string;
  url: string;
  severities: Record<Profile, Severity>;
  /** For checks that bind public clients only: the severity for confidential clients. */
  confidentialClients?: Severity;
  variants: string[];
  suites: string[];
  judgesEvery: string[];
  validateOnly: boolean;
  /** Flavours that document a deviation from this check (docs/flavours.md). */
  deviations: FlavourName[];
}

/** The checks named (ids in any case, e.g. te-c13); an unknown id is a usage error that lists the series' ids. */
export function selectChecks(list: CheckListing[], ids: readonly string[]): CheckListing[] {
  return ids.map((raw) => {
    const found = list.find((c) => c.id.toLowerCase() === raw.toLowerCase());
    if (found) return found;
    const series = /^te-[a-z]+/i.exec(raw)?.[0]?.toUpperCase();
    const near = series ? list.filter((c) => c.id.replace(/\d+$/, '') === series).map((c) => c.id) : [];
    throw new UsageError(
      `unknown check ${raw}; ${near.length ? `series ${series}: ${near.join(', ')}` : 'idpc checks lists them all'}`,
    );
  });
}

/** One check in full, for `idpc checks TE-C13`: what formatChecks says, and each flavour's documented deviation. */
export function formatCheckDetail(c: CheckListing): string {
  const lines = [formatChecks([c]).split('\n').slice(1, -1).join('\n')];
  lines.push(`${''.padEnd(20)}docs/checks.md#${c.id.toLowerCase()}`);
  for (const f of c.deviations) {
    for (const d of FLAVOURS[f].deviations.filter((x) => (x.checks as readonly string[]).includes(c.id)))
      lines.push(`${''.padEnd(20)}documented deviation (${f}): ${d.reason} [${d.source}]`);
  }
  return lines.join('\n');
}

export function listChecks(): CheckListing[] {
  return ALL_CHECKS.map((c) => {
    // Derived from the scenarios: a suite reports a check when one of its scenarios names it, or receives the answers it judges.
    const suites = SUITES.filter((s) => s.scenarios.some((x) => refsOf(x).some((r) => r.check === c))).map(
      (s) => s.name,
    );
    return {
      id: c.id,
      title: c.title,
      level: c.level,
      requirement: c.requirement,
      url: c.url,
      severities: Object.fromEntries(PROFILES.map((p) => [p, severityOf(c.id, p)])) as Record<Profile, Severity>,
      ...(c.publicClientsOnly ? { confidentialClients: severityOf(c.id, 'oauth21', { publicClient: false }) } : {}),
      variants: [...(c.variants ?? [])],
      suites: c.validateOnly ? [] : suites,
      judgesEvery: [...(c.judgesEvery ?? [])],
      validateOnly: !!c.validateOnly,
      deviations: FLAVOUR_NAMES.filter((f) =>
        FLAVOURS[f].deviations.some((d) => (d.checks as readonly string[]).includes(c.id)),
      ),
    };
  });
}

export function formatChecks(list: CheckListing[]): string {
  const lines = [`${'id'.padEnd(7)} ${'level'.padEnd(11)} ${'rfc6749/bcp9700/oauth21'.padEnd(24)} title`];
  for (const c of list) {
    const sev = PROFILES.map((p) => c.severities[p]).join('/');
    lines.push(`${c.id.padEnd(7)} ${c.level.padEnd(11)} ${sev.padEnd(24)} ${c.title}`);
    lines.push(`${''.padEnd(20)}${c.requirement}  ${c.url}`);
    if (c.variants.length) lines.push(`${''.padEnd(20)}variants: ${c.variants.join(', ')}`);
    lines.push(
      `${''.padEnd(20)}${c.validateOnly ? 'idpc validate only' : `suites: ${c.suites.join(', ')}`}${c.confidentialClients ? `; confidential clients: ${c.confidentialClients}` : ''}`,
    );
  }
  lines.push(`${list.length} checks`);
  return lines.join('\n');
}

/** docs/checks.md: the registry for readers, generated (`npm run gen:docs`) so that it cannot drift. */
export function checksMarkdown(list: CheckListing[]): string {
  const out = [
    '# Checks',
    '',
    'Generated from the check registry (`src/checks/`) by `npm run gen:docs`; `idpc checks --json` prints the same.',
    'Severity per profile is what a failure counts as: error fails the run, warning warns, info informs.',
    '',
  ];
  let series = '';
  for (const c of list) {
    const title = seriesTitle(c.id);
    if (title !== series) {
      series = title;
      out.push(
        `## ${title}`,
        '',
        '| id | check | level | rfc6749 / bcp9700 / oauth21 | requirement | variants | suites | documented deviations |',
        '|---|---|---|---|---|---|---|---|',
      );
    }
    const sev = `${PROFILES.map((p) => c.severities[p]).join(' / ')}${c.confidentialClients ? ` (confidential clients: ${c.confidentialClients})` : ''}`;
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    // The id cell carries an anchor (checks.md#te-c7): failure messages and the HTML report link to it.
    out.push(
      `| <a id="${c.id.toLowerCase()}"></a>${c.id} | ${cell(c.title)} | ${c.level} | ${sev} | [${cell(c.requirement)}](${c.url}) | ${c.variants.join(', ')} | ${c.validateOnly ? '`idpc validate`' : c.suites.join(', ')} | ${c.deviations.map((f) => `[${f}](flavours.md#${f})`).join(', ')} |`,
    );
    const next = list[list.indexOf(c) + 1];
    if (!next || seriesTitle(next.id) !== series) out.push('');
  }
  return out.join('\n');
}

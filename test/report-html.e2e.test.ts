/**
 * The HTML report as a person gets it: `idpc run --mock all --report html,json` writes one self-contained file.
 * A real HTML parser checks the DOM everywhere (every target's verdict, every planned result, nothing fetched from
 * the network); headless Chromium (Debian's, installed by scripts/setup-browser.sh) renders it from file:// and
 * takes a screenshot, where a browser exists, and says why it skips where none does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'node-html-parser';
import { chromiumBinary } from './support/cdp.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';
import { MOCK_FLAVOURS } from '../mocks/flavours.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-html-'));
const htmlFile = join(dir, 'idpc-report.html');
let runs: {
  verdict: string;
  target: { flavour: string };
  results: { suite: string; check: string; variant?: string; status: string }[];
}[];
let code: number | null;

const idOf = (runIndex: number, r: { suite: string; check: string; variant?: string }) =>
  `run${runIndex}-${`${r.suite}:${r.check}${r.variant ? `:${r.variant}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_')}`;

beforeAll(async () => {
  const r = await runCli(
    ['run', '--mock', 'all', '--report', 'html,json,junit', '--report-dir', dir, '--seed', '4', '--runs', '2'],
    process.env,
  );
  code = r.code;
  runs = (JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as { runs: typeof runs }).runs;
}, 120_000);

describe('the HTML report', () => {
  it('holds every target with its verdict and every planned result, in a parsed DOM', () => {
    expect(code).toBe(0);
    const doc = parse(readFileSync(htmlFile, 'utf8'));
    const sections = doc.querySelectorAll('section.run');
    expect(sections.map((s) => s.querySelector('.verdict')?.getAttribute('data-verdict'))).toEqual(
      runs.map((r) => r.verdict),
    );
    expect(runs.map((r) => r.target.flavour)).toEqual(MOCK_FLAVOURS);
    runs.forEach((run, i) => {
      const rendered = sections[i]!.querySelectorAll('details.result');
      expect(rendered).toHaveLength(run.results.length);
      for (const r of run.results)
        expect(sections[i]!.querySelector(`#${idOf(i, r)}`)?.getAttribute('data-status'), idOf(i, r)).toBe(r.status);
    });
  });

  it('fetches nothing: no external script, style, font or image', () => {
    const text = readFileSync(htmlFile, 'utf8');
    const doc = parse(text);
    expect(doc.querySelectorAll('script[src], link, img, iframe, object, embed')).toHaveLength(0);
    for (const style of doc.querySelectorAll('style')) expect(style.text).not.toMatch(/@import|url\(/);
    expect(text).not.toMatch(/<(script|link|img)[^>]+(src|href)\s*=\s*["']?https?:/i);
  });

  it('escapes what the target sent: a body is text, never markup', async () => {
    const { toHtml } = await import('../src/runner/report-html.js');
    const run = structuredClone(runs[0]) as never as Parameters<typeof toHtml>[0][number];
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    run.results[0] = {
      ...run.results[0]!,
      status: 'fail',
      message: evil,
      evidence: [
        {
          request: { method: 'POST', url: 'http://127.0.0.1/x', headers: {} },
          response: { status: 400, headers: { 'x-evil': [evil] }, body: evil },
          durationMs: 1,
          curl: `curl ${evil}`,
        },
      ],
    };
    const doc = parse(toHtml([run], { version: 'test', generatedAt: 'now' }));
    expect(doc.querySelectorAll('script')).toHaveLength(1); // the report's own filter script only
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    expect(doc.querySelector('details.result.fail .message')?.text).toBe(evil);
  });

  it('puts what to act on first: failures then warnings, each linked to its result, and the command that repeats the run', async () => {
    const { toHtml } = await import('../src/runner/report-html.js');
    const run = structuredClone(runs[0]) as never as Parameters<typeof toHtml>[0][number];
    const [a, b, c] = [run.results[3]!, run.results[7]!, run.results[9]!];
    Object.assign(a, { status: 'warn', message: 'a warning' });
    Object.assign(b, { status: 'fail', message: 'the failure' });
    Object.assign(c, { status: 'fail', message: 'expected', baseline: { reason: 'vendor ticket 42' } });
    run.reproduce = 'idpc run --mock portal --seed 4 --runs 2';
    const doc = parse(toHtml([run], { version: 'test', generatedAt: 'now' }));
    const links = doc.querySelectorAll('.attention li a').map((x) => x.getAttribute('href'));
    // The failure outside the baseline, then the warning; the expected failure is in the list below, not here.
    expect(links).toEqual([`#${idOf(0, b)}`, `#${idOf(0, a)}`]);
    for (const href of links) expect(doc.querySelector(href!)?.tagName).toBe('DETAILS');
    expect(doc.querySelector('.attention')?.text).toContain('the failure');
    expect(doc.querySelector('p.repro code')?.text).toBe('idpc run --mock portal --seed 4 --runs 2');
    expect(doc.querySelectorAll('.series h3').map((h) => h.text)[0]).toBe('A. The token request');
    // A run that conforms has nothing to point at.
    expect(
      parse(toHtml([runs[0] as never], { version: 'test', generatedAt: 'now' })).querySelector('.attention'),
    ).toBeNull();
  });

  const browser = chromiumBinary();
  it.skipIf(!browser)(
    `renders in headless Chromium from file:// with every verdict and result visible (screenshot under reports/)${browser ? '' : ': SKIPPED, no chromium on this machine (scripts/setup-browser.sh installs it)'}`,
    () => {
      const screenshot = join(packageRoot(), 'reports', 'html-report-screenshot.png');
      const common = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'chromium-profile')}`,
      ];
      const shot = spawnSync(
        browser!,
        [...common, `--screenshot=${screenshot}`, '--window-size=1280,4000', pathToFileURL(htmlFile).href],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(shot.error).toBeUndefined();
      expect(existsSync(screenshot) && statSync(screenshot).size > 10_000).toBe(true);
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
      // The DOM after the browser parsed it and ran the report's script.
      const dumped = spawnSync(browser!, [...common, '--dump-dom', pathToFileURL(htmlFile).href], {
        encoding: 'utf8',
        timeout: 60_000,
        maxBuffer: 256 * 2 ** 20,
      });
      const doc = parse(dumped.stdout);
      expect(doc.querySelectorAll('section.run .verdict').map((v) => v.text)).toEqual(runs.map((r) => r.verdict));
      expect(doc.querySelectorAll('details.result')).toHaveLength(runs.reduce((n, r) => n + r.results.length, 0));
      expect(doc.querySelector('body')?.getAttribute('data-filter')).toBe('all');
    },
    120_000,
  );
});

describe('the JSON report', () => {
  it('validates against its shipped schema, totals first', async () => {
    const { validate } = await import('../src/schemas/registry.js');
    const doc = JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as Record<string, unknown> & {
      totals: Record<string, number>;
    };
    const v = validate('report', 'report', doc);
    expect(v.errors).toEqual([]);
    expect(Object.keys(doc).slice(0, 5)).toEqual(['$schema', 'tool', 'version', 'generatedAt', 'totals']);
    expect(doc.totals.targets).toBe(MOCK_FLAVOURS.length);
    expect(doc.totals.results).toBe(runs.reduce((n, r) => n + r.results.length, 0));
    expect(doc.totals.exitCode).toBe(code);
  });
});

describe('the JUnit report', () => {
  it('has one testsuite per target and suite, unique names, and a time on every test case', () => {
    const doc = parse(readFileSync(join(dir, 'idpc-junit.xml'), 'utf8'));
    const suites = doc.querySelectorAll('testsuite');
    const expected = runs.flatMap((r) =>
      [...new Set(r.results.map((x) => x.suite))].map((s) =>
        `${r.target.flavour}`.concat(
          '-',
          (r as unknown as { target: { preset?: string } }).target.preset ?? '',
          '.',
          s,
        ),
      ),
    );
    expect(suites.map((s) => s.getAttribute('name'))).toEqual(expected);
    expect(new Set(expected).size).toBe(expected.length);
    const cases = doc.querySelectorAll('testcase');
    expect(cases).toHaveLength(runs.reduce((n, r) => n + r.results.length, 0));
    for (const c of cases) expect(c.getAttribute('time')).toMatch(/^\d+\.\d{3}$/);
    // Not the whole run's time on every suite: the suites' times differ.
    expect(new Set(suites.map((s) => s.getAttribute('time'))).size).toBeGreaterThan(1);
    expect(cases.some((c) => Number(c.getAttribute('time')) > 0)).toBe(true);
  });
});

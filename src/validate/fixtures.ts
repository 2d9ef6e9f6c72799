import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Severity } from '../checks/define.js';
import type { FlavourName } from '../flavours/index.js';
import { looksLikeHttpResponse, parseHttpResponse } from '../http/capture.js';
import { fixturesDir } from '../util/paths.js';
import { validateCapture, type CaptureReport } from './capture.js';

export interface ExpectedFinding {
  rule: string;
  path: string;
  severity?: Severity;
}

export interface FixtureEntry {
  file: string;
  flavour: FlavourName;
  kind: string;
  label: string;
  source: string;
  expect: { valid: boolean; findings: ExpectedFinding[] };
}

export interface FixtureResult {
  fixture: FixtureEntry;
  report: CaptureReport;
  /** What differs from the fixture's label; empty when the fixture behaves as labelled. */
  problems: string[];
}

export function loadManifest(dir = fixturesDir()): FixtureEntry[] {
  return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { fixtures: FixtureEntry[] }).fixtures;
}

/** Validates one fixture and compares the outcome with its label. */
export function checkFixture(fixture: FixtureEntry, dir = fixturesDir()): FixtureResult {
  const text = readFileSync(join(dir, fixture.file), 'utf8');
  const input = looksLikeHttpResponse(text) ? { response: parseHttpResponse(text) } : { body: text };
  const report = validateCapture({ flavour: fixture.flavour, kind: fixture.kind, ...input });
  const problems: string[] = [];
  if (report.valid !== fixture.expect.valid) {
    const errors = report.findings
      .filter((f) => f.severity === 'error')
      .map((f) => `${f.rule} ${f.path || '(body)'}: ${f.message}`);
    problems.push(
      `expected ${fixture.expect.valid ? 'VALID' : 'INVALID'}, got ${report.valid ? 'VALID' : `INVALID (${errors.join('; ')})`}`,
    );
  }
  for (const want of fixture.expect.findings) {
    const hit = report.findings.some(
      (f) => f.rule === want.rule && f.path === want.path && (!want.severity || f.severity === want.severity),
    );
    if (!hit)
      problems.push(
        `missing finding ${want.rule} at ${want.path || '(body)'}${want.severity ? ` (${want.severity})` : ''}`,
      );
  }
  return { fixture, report, problems };
}

export function checkAllFixtures(dir = fixturesDir()): FixtureResult[] {
  return loadManifest(dir).map((f) => checkFixture(f, dir));
}

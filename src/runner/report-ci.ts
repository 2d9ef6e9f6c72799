/**
 * CI-native output. On GitHub Actions (GITHUB_ACTIONS=true): one workflow-command annotation per failing check
 * (::error) and per warning (::warning), and a Markdown job summary appended to $GITHUB_STEP_SUMMARY.
 * Workflow-command escaping as GitHub's actions/toolkit does it (packages/core/src/command.ts).
 */
import { appendFileSync } from 'node:fs';
import { resultKey } from '../vocabulary/types.js';
import type { FinishedRun } from './run.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const targetName = (run: FinishedRun) => `${run.target.flavour}${run.target.preset ? ` (${run.target.preset})` : ''}`;

/** One line per failing check (::error) and per warning (::warning), in result order. */
export function githubAnnotations(runs: FinishedRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    for (const r of run.results) {
      if (r.baseline || (r.status !== 'fail' && r.status !== 'warn')) continue;
      const title = `${targetName(run)} ${resultKey(r)}`;
      const message = `${r.title}: ${r.message ?? ''} [${r.requirement}]${r.counterexample ? ` (seed ${r.counterexample.seed})` : ''}`;
      lines.push(
        `::${r.status === 'fail' ? 'error' : 'warning'} title=${escapeProperty(title)}::${escapeData(message)}`,
      );
    }
    if (run.unreachable)
      lines.push(`::error title=${escapeProperty(`${targetName(run)} unreachable`)}::${escapeData(run.unreachable)}`);
  }
  return lines;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The job summary: an overall line, a table of targets, then each failure with its requirement and reproduction. */
export function markdownSummary(runs: FinishedRun[]): string {
  const conforming = runs.filter((r) => r.verdict === 'CONFORMS').length;
  const out = [
    `## idp-conformance: ${conforming} of ${runs.length} target(s) conform`,
    '',
    '| target | verdict | pass | fail | warn | deviations | skipped | seed |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    const n = (s: string) => run.results.filter((r) => r.status === s).length;
    out.push(
      `| ${cell(`${targetName(run)} ${run.target.tokenUrl}`)} | ${run.verdict} | ${n('pass')} | ${n('fail')} | ${n('warn')} | ${n('deviation')} | ${n('skip')} | ${run.seed} |`,
    );
  }
  for (const run of runs) {
    const failed = run.results.filter((r) => r.status === 'fail' && !r.baseline);
    if (!failed.length) continue;
    out.push('', `### ${cell(targetName(run))}: ${failed.length} failing check(s)`, '');
    for (const r of failed) {
      out.push(
        `- **${resultKey(r)}** ${cell(r.title)}: ${cell(r.message ?? '')} ([${cell(r.requirement)}](${r.url}))${r.counterexample ? `, reproduce with \`--seed ${r.counterexample.seed}\`` : ''}`,
      );
      const curl = r.evidence?.[0]?.curl;
      if (curl) out.push('', '  ```sh', `  ${curl}`, '  ```');
    }
    if (run.reproduce) out.push('', 'Repeat the run:', '', '```sh', run.reproduce, '```');
  }
  return `${out.join('\n')}\n`;
}

/** What a run does on GitHub Actions: annotations on stdout (print), the summary into the step summary file. */
export function emitGithubActions(runs: FinishedRun[], env: NodeJS.ProcessEnv, print: (s: string) => void): void {
  if (env.GITHUB_ACTIONS !== 'true') return;
  for (const line of githubAnnotations(runs)) print(line);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdownSummary(runs));
}

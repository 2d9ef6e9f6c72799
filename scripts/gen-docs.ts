/** Writes docs/checks.md (from the check registry) and docs/flavours.md (from the flavours); `--check` exits 1 when one is stale. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOCK_FLAVOURS, loadMock } from '../mocks/index.js';
import { checksMarkdown, listChecks } from '../src/cli/checks.js';
import { flavoursMarkdown } from '../src/cli/flavour-docs.js';
import { packageRoot } from '../src/util/paths.js';

const mocks = Object.fromEntries(await Promise.all(MOCK_FLAVOURS.map(async (f) => [f, await loadMock(f)] as const)));
const docs: Record<string, string> = {
  'checks.md': checksMarkdown(listChecks()),
  'flavours.md': flavoursMarkdown(mocks),
};
let stale = false;
for (const [name, text] of Object.entries(docs)) {
  const path = join(packageRoot(), 'docs', name);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  if (process.argv.includes('--check')) {
    process.stderr.write(`stale: docs/${name} (npm run gen:docs)\n`);
    stale = true;
  } else {
    mkdirSync(join(packageRoot(), 'docs'), { recursive: true });
    writeFileSync(path, text);
    process.stdout.write(`wrote docs/${name}\n`);
  }
}
if (stale) process.exit(1);

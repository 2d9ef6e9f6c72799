#!/usr/bin/env node
/**
 * Functions longer than a limit, for keeping a directory's functions readable (issue 23: none over ~80 lines in
 * mocks/core). Counts the lines a function's body spans; nested functions are counted on their own too.
 * Usage: node scripts/function-lengths.mjs DIR [LIMIT=80]; exit 1 when one is over.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const [dir, limitArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node scripts/function-lengths.mjs DIR [LIMIT]\n');
  process.exit(2);
}
const limit = Number(limitArg ?? 80);
const files = (d) =>
  readdirSync(d).flatMap((n) =>
    statSync(join(d, n)).isDirectory()
      ? files(join(d, n))
      : n.endsWith('.ts') && !n.endsWith('.test.ts')
        ? [join(d, n)]
        : [],
  );
const over = [];
for (const file of files(dir)) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const lines =
        source.getLineAndCharacterOfPosition(node.body.end).line -
        source.getLineAndCharacterOfPosition(node.body.pos).line +
        1;
      if (lines > limit) {
        const name =
          node.name?.getText(source) ??
          (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
        over.push(`${file}:${source.getLineAndCharacterOfPosition(node.pos).line + 1} ${name}: ${lines} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
for (const line of over) process.stdout.write(`${line}\n`);
process.stdout.write(`${over.length} function(s) over ${limit} lines in ${dir}\n`);
process.exit(over.length ? 1 : 0);

/** Every bad number or rate is refused at the command line: exit 2, one line naming the option, before any request. */
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

let requests = 0;
const server = createServer((_req, res) => {
  requests++;
  res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
});
let target = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'idpc-numbers-'));
  target = join(dir, 'counting.target.yaml');
  writeFileSync(
    target,
    `flavour: rfc6749\nbaseUrl: http://127.0.0.1:${(server.address() as { port: number }).port}\nallowHttp: true\nclients:\n  - name: user\n    clientId: a\n    clientSecret: b\nusers:\n  - username: u\n    password: p\n`,
  );
});
afterAll(() => new Promise((r) => server.close(r)));

describe('bad numbers', () => {
  it.each([
    ['--max-requests', '-1'],
    ['--max-requests', '0'],
    ['--max-requests', 'abc'],
    ['--rate', '0/s'],
    ['--rate', '-5/s'],
    ['--timeout', '-100'],
    ['--seed', 'abc'],
    ['--runs', '-3'],
    ['--max-body', '12'],
  ])('run %s %s: exit 2, one line naming the option, no request sent', async (option, value) => {
    const r = await runCli(['run', '--target', target, option, value], process.env);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(option);
    expect(lines[0]).toContain(value);
    expect(requests).toBe(0);
  });

  it('mock --port -1: exit 2 naming the option', async () => {
    const r = await runCli(['mock', 'portal', '--port', '-1'], process.env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('idpc: --port must be 0..65535, got -1');
  });
});

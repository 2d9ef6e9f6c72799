/**
 * A failure file does not choose what a replay talks to: the target config it names is read only if it is still the
 * file the run read (its SHA-256), and --target on the replay's command line names another one explicitly. Against
 * the strict test server with a planted bug (TE-A9), so that the run records a failure.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayCommand, runCommand } from '../src/cli/run.js';
import { UsageError } from '../src/cli/errors.js';
import { startTinyAs, TINY_CLIENTS, TINY_USERS, type TinyServer } from './support/tiny-as.js';

const servers: TinyServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

function targetFile(dir: string, name: string, as: TinyServer): string {
  const [app] = TINY_CLIENTS;
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'flavour: rfc6749',
      'allowHttp: true',
      `endpoints: { token: "${as.tokenUrl}", revocation: "${as.revocationUrl}", resource: "${as.resourceUrl}" }`,
      `clients: [{ name: user, clientId: ${app!.id}, clientSecret: ${app!.secret} }]`,
      `users: [{ username: alice, password: ${TINY_USERS.alice} }]`,
      'grants: [password, client_credentials, refresh_token]',
      'budget: { maxRequests: 400, maxBadCredentialAttempts: 40, ratePerSecond: 500 }',
    ].join('\n'),
  );
  return file;
}

describe('idpc replay reads only the target the run read', () => {
  it('the recorded target while unchanged; a changed or substituted one is exit 2 naming --target; --target replays against the file given', async () => {
    const as = await startTinyAs({ bugs: ['get-with-secret'] });
    servers.push(as);
    const dir = mkdtempSync(join(tmpdir(), 'idpc-replay-'));
    const target = targetFile(dir, 'tiny.target.yaml', as);
    const quiet = () => undefined;
    expect(await runCommand({ target, seed: 2, report: 'json', reportDir: dir }, quiet)).toBe(1);
    const file = join(dir, 'idpc-failures.json');
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as {
      target: string;
      targetSha256: string;
      failures: { check: string }[];
    };
    expect(recorded.target).toBe(target);
    expect(recorded.targetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(recorded.failures.map((f) => f.check)).toContain('grant:TE-A9');

    const lines: string[] = [];
    expect(await replayCommand(file, dir, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('x STILL FAILING  rfc6749 grant:TE-A9');

    // The file edited since (another server, other credentials): refused before any request.
    writeFileSync(target, `${readFileSync(target, 'utf8')}\n# edited`);
    await expect(replayCommand(file, dir, quiet)).rejects.toThrow(UsageError);
    await expect(replayCommand(file, dir, quiet)).rejects.toThrow(/not the file that run read .*--target FILE/);
    // A failure file pointing at some other file on this machine: refused likewise.
    const other = targetFile(dir, 'other.target.yaml', as);
    writeFileSync(other, `${readFileSync(other, 'utf8')}\nprofile: rfc6749`);
    writeFileSync(file, JSON.stringify({ ...recorded, target: other }));
    await expect(replayCommand(file, dir, quiet)).rejects.toThrow(
      /names the target .*other\.target\.yaml, which is not the file that run read/,
    );
    const hits = as.hits.get('/token') ?? 0;
    await expect(replayCommand(file, dir, quiet)).rejects.toThrow(UsageError);
    expect(as.hits.get('/token') ?? 0).toBe(hits);

    // Named on the command line, it is the user's choice.
    const named: string[] = [];
    expect(await replayCommand(file, dir, (l) => named.push(l), { target: other })).toBe(1);
    expect(named.join('\n')).toContain('x STILL FAILING  rfc6749 grant:TE-A9');
  }, 120_000);
});

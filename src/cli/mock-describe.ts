/** What `idpc mock` prints at start, as JSON (describeMock) or text (formatMock); the primary of --replicas prints it once for all. */
import type { RunningMock } from '../../mocks/index.js';

/** What `idpc mock` prints: where the mock listens and the credentials it seeded (a mock's test credentials, by design). */
export function describeMock(m: RunningMock): Record<string, unknown> {
  return {
    flavour: m.config.flavour,
    preset: m.config.preset,
    url: m.url,
    ...(m.tls ? { caFile: m.tls.caFile } : {}),
    endpoints: m.endpoints,
    admin: m.admin.enabled ? m.admin.url : null,
    store: m.context.grants.store.description,
    clients: [...m.context.clients.values()].map((c) => ({
      clientId: c.clientId,
      ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
      public: c.public,
      grants: c.grants,
    })),
    users: [...m.context.users.values()].map((u) => ({ username: u.username, password: u.password })),
    ...m.description.printed,
    ...m.startup,
  };
}

export function formatMock(info: Record<string, unknown>): string {
  const lines = [`idpc mock: ${String(info.flavour)} (${String(info.preset)}) listening on ${String(info.url)}`];
  for (const [name, url] of Object.entries(info.endpoints as Record<string, string>))
    lines.push(`  ${name.padEnd(12)} ${url}`);
  if (info.admin) lines.push(`  ${'admin'.padEnd(12)} ${String(info.admin)}`);
  if (info.caFile)
    lines.push(`  ${'tls CA'.padEnd(12)} ${String(info.caFile)}   (trust it: NODE_EXTRA_CA_CERTS, curl --cacert)`);
  if (info.store !== 'memory')
    lines.push(
      `  ${'store'.padEnd(12)} ${String(info.store)}${info.replicas ? ` (${String(info.replicas)} replicas)` : ''}`,
    );
  for (const c of info.clients as { clientId: string; clientSecret?: string; public: boolean }[])
    lines.push(
      `  client       ${c.clientId}${c.clientSecret ? ` / ${c.clientSecret}` : ''}${c.public ? ' (public)' : ''}`,
    );
  for (const u of info.users as { username: string; password: string }[])
    lines.push(`  user         ${u.username} / ${u.password}`);
  // Lists a flavour adds to the description (Rator's brandKeys): printed under their name in words.
  const known = new Set([
    'flavour',
    'preset',
    'url',
    'caFile',
    'endpoints',
    'admin',
    'store',
    'replicas',
    'clients',
    'users',
    'technicalUsers',
    'notes',
  ]);
  for (const [key, value] of Object.entries(info)) {
    if (!known.has(key) && Array.isArray(value) && value.every((v) => typeof v === 'string'))
      lines.push(
        `  ${key
          .replace(/([A-Z])/g, ' $1')
          .toLowerCase()
          .padEnd(12)} ${value.join(', ')}`,
      );
  }
  for (const t of (info.technicalUsers as
    | { realm: string; name: string; clientId: string; clientSecret: string; refreshToken: string }[]
    | undefined) ?? []) {
    lines.push(`  technical user "${t.name}" (realm ${t.realm}): shown once`);
    lines.push(
      `    client id      ${t.clientId}`,
      `    client secret  ${t.clientSecret}`,
      `    refresh token  ${t.refreshToken}`,
    );
  }
  // What the flavour wants said at start (a session limit in force, a preset's user left out): one line each.
  for (const note of (info.notes as string[] | undefined) ?? []) lines.push(`  note: ${note}`);
  lines.push('Ctrl-C stops it.');
  return lines.join('\n');
}

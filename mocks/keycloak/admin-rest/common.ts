/** What the admin REST API's resources share: ids, bodies, Keycloak's error bodies, role representations. */
import { createHash } from 'node:crypto';
import type { MockRequest } from '../../core/http.js';
import { json, type Realm } from '../model.js';

/** A UUID-shaped id that stays the same for the same thing (Keycloak's ids are UUIDs it stores; the mock derives them). */
export function stableId(kind: string, realm: Realm, name: string): string {
  const h = createHash('sha256').update(`${kind}\0${realm.name}\0${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function jsonBody(req: MockRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function objectBody(req: MockRequest): Record<string, unknown> | undefined {
  const v = jsonBody(req);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A list of RoleRepresentations as role-mapping calls send it: the names, or undefined when one is unknown. */
export function roleNamesOf(req: MockRequest, known: string[], idOf: (name: string) => string): string[] | undefined {
  const reps = jsonBody(req);
  if (!Array.isArray(reps)) return undefined;
  const names = reps.map((r: { name?: unknown; id?: unknown }) =>
    typeof r?.name === 'string' ? r.name : known.find((n) => idOf(n) === r?.id),
  );
  return names.every((n): n is string => n !== undefined && known.includes(n)) ? names : undefined;
}

export const notFound = (error: string) => json(404, { error });
export const badRequest = () => json(400, { error: 'unknown_error' });
export const conflict = (errorMessage: string) => json(409, { errorMessage });

export const roleRep = (realm: Realm, name: string, client?: { id: string }) => ({
  id: stableId(client ? `role:${client.id}` : 'role', realm, name),
  name,
  composite:
    !client && (name === `default-roles-${realm.name}` || realm.config.roles?.composites?.[name] !== undefined),
  clientRole: !!client,
  containerId: client ? client.id : realm.name,
});

/** Pages a list as the admin API does (first, max; max defaults to 100). */
export function page<T>(items: T[], q: URLSearchParams): T[] {
  const first = Math.max(0, Number(q.get('first') ?? 0) || 0);
  const max = Math.max(0, Number(q.get('max') ?? 100) || 100);
  return items.slice(first, first + max);
}

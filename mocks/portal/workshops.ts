/**
 * The portal's REST API beyond the token: the workshop catalog, an environment's status, a workshop session requested
 * for a user, its activation URL, its schedule and its termination, each behind django-oauth-toolkit's
 * @protected_resource() and the portal's own rules (only the robots group may request sessions or read an
 * environment's status; a session's owner, a robot or staff may read its schedule).
 * Sources: vmware-tanzu-labs/educates-training-platform training-portal/src/project/apps/workshops/views/
 * {catalog,environment,session}.py and docs/portal-rest-api/{session-management,client-authentication}.rst;
 * django/django django/core/serializers/json.py (DjangoJSONEncoder's datetimes), django/http/response.py
 * (HttpResponseForbidden/BadRequest/NotAllowed: text/html bodies).
 */
import { randomUUID } from 'node:crypto';
import type { Environment, PortalMockSettings } from '../../src/generated/schemas.js';
import type { MockContext } from '../core/flavour.js';
import { bearerToken, queryOf, type MockRequest, type MockResponse } from '../core/http.js';
import { alphanumericToken } from '../core/random.js';
import { DJANGO_HEADERS, djangoNotFound, html, json } from './wire.js';

/** A workshop environment of the portal's config section (the generated type), its defaults filled. */
export type WorkshopEnvironment = Required<Omit<Environment, 'workshop'>> & {
  workshop: Required<Environment['workshop']>;
};

/** What an environment of the config leaves out (schemas/portal/mock-config.schema.json $defs/environment defaults). */
export const ENVIRONMENT_DEFAULTS = { capacity: 3, reserved: 0, duration: 1800 };

/** A session's name: the environment's and its place, s001 upwards (Educates' session naming). */
const sessionName = (environment: string, index: number) => `${environment}-s${String(index).padStart(3, '0')}`;

/** A session as the store keeps it. States are Educates' SessionState names. */
interface WorkshopSession {
  name: string;
  environment: string;
  owner: string;
  token: string;
  state: 'STARTING' | 'RUNNING' | 'STOPPING';
  started: number;
  expires: number;
  indexUrl: string;
}

/** Django's superuser of the portal (Educates creates its admin with is_staff) is known to the mock by this group. */
const STAFF_GROUP = 'admins';
const ROBOTS_GROUP = 'robots';

/** DjangoJSONEncoder: ISO 8601, milliseconds only when there are any, UTC as "Z". */
export function djangoDateTime(epochSeconds: number): string {
  const iso = new Date(Math.round(epochSeconds * 1000)).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Python's urllib.parse.quote_plus: only letters, digits and _.-~ stay; a space is "+". */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

// Django's EmailValidator, in its essentials: a user part, an @, a domain with a dot (or a literal).
const EMAIL =
  /^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$/;

const jsonAnswer = (status: number, body: unknown): MockResponse => ({
  status,
  headers: { 'Content-Type': 'application/json', ...DJANGO_HEADERS },
  body: json(body),
});
const withoutName = <T extends { name: string }>({ name: _name, ...rest }: T) => rest;

export function portalWorkshops(ctx: MockContext) {
  const store = ctx.grants.store;
  const now = () => ctx.clock.epochSeconds();
  const section = () => {
    const portal = ctx.config.extra.portal as Required<Pick<PortalMockSettings, 'catalogVisibility' | 'environments'>>;
    // The schema's defaults for what a configured environment leaves out.
    const environments: WorkshopEnvironment[] = portal.environments.map((e) => ({
      ...ENVIRONMENT_DEFAULTS,
      ...e,
      workshop: { name: e.workshop.name, title: e.workshop.title ?? '', description: e.workshop.description ?? '' },
    }));
    return { catalogVisibility: portal.catalogVisibility, environments };
  };
  const environment = (name: string) => section().environments.find((e) => e.name === name);
  const sessionKey = (name: string) => `portal:workshop-session:${name}`;
  const allocatedKey = (env: string) => `portal:workshop-environment:${env}`;

  /** @protected_resource(): the token's user, or undefined for a missing, unknown, expired or revoked token (bare 403). */
  async function tokenUser(req: MockRequest): Promise<{ username?: string; groups: string[] } | undefined> {
    const value = bearerToken(req);
    const found = value ? await ctx.grants.lookupAccess(value) : undefined;
    if (found?.state !== 'active') return undefined;
    const username = found.record!.username;
    return { username, groups: (username ? ctx.users.get(username)?.groups : undefined) ?? [] };
  }

  /** The environment's allocated sessions (STARTING or RUNNING, not yet expired on the mock clock). */
  async function allocated(env: string): Promise<WorkshopSession[]> {
    const names = await store.members(allocatedKey(env));
    const docs = (await store.getDocs(names.map(sessionKey))) as (WorkshopSession | undefined)[];
    const live: WorkshopSession[] = [];
    for (const [i, doc] of docs.entries()) {
      if (doc && doc.state !== 'STOPPING' && doc.expires > now()) live.push(doc);
      else await store.removeMember(allocatedKey(env), names[i]!);
    }
    return live;
  }

  async function session(name: string): Promise<WorkshopSession | undefined> {
    const doc = await store.getDoc<WorkshopSession>(sessionKey(name));
    return doc && doc.state !== 'STOPPING' && doc.expires > now() ? doc : undefined;
  }

  async function save(s: WorkshopSession): Promise<void> {
    await store.putDoc(sessionKey(s.name), s, s.expires, now());
    await store.addMember(allocatedKey(s.environment), s.name, s.expires, now());
  }

  const sessionDetails = (s: WorkshopSession) => ({
    name: s.name,
    state: s.state,
    namespace: s.name,
    user: s.owner,
    started: djangoDateTime(s.started),
    expires: djangoDateTime(s.expires),
    countdown: Math.max(0, Math.floor(s.expires - now())),
    extendable: false,
  });

  /**
   * An environment as the catalog and its status route describe it (views/catalog.py, views/environment.py), from
   * its allocated sessions; `listed` are the sessions shown in it (none: the member is left out).
   */
  function environmentDetails(env: WorkshopEnvironment, live: WorkshopSession[], listed?: WorkshopSession[]) {
    return {
      name: env.name,
      state: 'RUNNING',
      workshop: {
        name: env.workshop.name,
        title: env.workshop.title,
        description: env.workshop.description,
        vendor: '',
        authors: [],
        difficulty: '',
        duration: '',
        tags: [],
        labels: {},
        logo: '',
        url: '',
      },
      ...(listed ? { sessions: listed.map(sessionDetails) } : {}),
      duration: env.duration,
      capacity: env.capacity,
      reserved: env.reserved,
      allocated: live.length,
      available: Math.max(0, env.capacity - live.length),
    };
  }

  /** GET /workshops/catalog/environments/ (catalog_environments): private unless the catalog is public. */
  const catalog = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return html(405, '', { Allow: 'GET, HEAD, OPTIONS' });
    const user = await tokenUser(req);
    if (!user && section().catalogVisibility !== 'public') return html(403, '');
    const environments = [];
    let total = 0;
    for (const env of section().environments) {
      const live = await allocated(env.name);
      total += live.length;
      const { workshop, sessions: _none, ...counts } = environmentDetails(env, live);
      // Member order of catalog.py: the workshop (with its resource) after name and state, the sessions last; an
      // authenticated caller sees the sessions it owns (none for a robot, which owns none).
      const { name, state, ...rest } = counts;
      environments.push({
        name,
        state,
        workshop: { name: workshop.name, resource: workshop.name, ...withoutName(workshop) },
        ...rest,
        ...(user ? { sessions: live.filter((s) => s.owner === user.username).map(sessionDetails) } : {}),
      });
    }
    return jsonAnswer(200, {
      portal: {
        name: 'learningcenter',
        labels: {},
        uid: '2b3c4d5e-0000-4000-8000-000000000001',
        generation: 1,
        url: ctx.baseUrl,
        sessions: { maximum: 0, registered: 0, anonymous: total, allocated: total },
      },
      environments,
    });
  };

  /** GET /workshops/environment/{name}/status/ (environment_status): robots only; ?sessions=true lists sessions. */
  const status = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const user = await tokenUser(req);
    if (!user) return html(403, '');
    if (req.method !== 'GET') return html(405, '', { Allow: 'GET' });
    if (!user.groups.includes(ROBOTS_GROUP)) return html(403, 'Status requests not permitted');
    const env = environment(params.name!);
    if (!env) return html(403, 'Environment does not exist');
    const query = new URLSearchParams(queryOf(req, 'keep-literal').pairs);
    const withSessions = ['true', '1'].includes((query.get('sessions') ?? '').toLowerCase());
    const live = await allocated(env.name);
    return jsonAnswer(200, environmentDetails(env, live, withSessions ? live : undefined));
  };

  /** GET|POST /workshops/environment/{name}/request/ (environment_request): a session for a user, robots only. */
  const request = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const user = await tokenUser(req);
    if (!user) return html(403, '');
    if (req.method !== 'GET' && req.method !== 'POST') return html(405, '', { Allow: 'GET, POST' });
    if (!user.groups.includes(ROBOTS_GROUP)) return html(403, 'Session requests not permitted');
    const env = environment(params.name!);
    if (!env) return html(403, 'Environment does not exist');
    const query = new URLSearchParams(queryOf(req, 'keep-literal').pairs);
    const indexUrl = query.get('index_url') || query.get('redirect_url');
    if (!indexUrl) return html(400, 'Need redirect URL for workshop index');
    const username = (query.get('user') ?? '').trim() || randomUUID();
    const email = (query.get('email') ?? '').trim();
    if (email && !EMAIL.test(email)) return html(400, 'Invalid email address provided');
    const timeoutText = (query.get('timeout') ?? '60').trim();
    // The view's int() raises on anything else (a 500 there); the mock answers every malformed request in 4xx.
    if (!/^[+-]?\d{1,9}$/.test(timeoutText)) return html(400, 'Invalid timeout value');
    const timeout = Number(timeoutText);
    if (req.body.length > 0) {
      let data: unknown;
      try {
        data = JSON.parse(req.body.toString('utf8'));
      } catch {
        return html(400, 'Invalid JSON request payload');
      }
      const parameters =
        data && typeof data === 'object' && !Array.isArray(data)
          ? ((data as { parameters?: unknown }).parameters ?? [])
          : undefined;
      if (!Array.isArray(parameters)) return html(400, 'Malformed JSON request payload');
      for (const p of parameters) {
        const item = p && typeof p === 'object' ? (p as { name?: unknown; value?: unknown }) : {};
        // item.get("value", ""): absent is "", anything but a string (null too) is malformed.
        if (!item.name || typeof item.name !== 'string' || (item.value !== undefined && typeof item.value !== 'string'))
          return html(400, 'Malformed JSON request payload');
      }
    }
    // resources_lock + transaction.atomic: one allocation at a time per environment.
    return store.exclusive(allocatedKey(env.name), async () => {
      const live = await allocated(env.name);
      let s = live.find((x) => x.owner === username);
      if (!s) {
        if (live.length >= env.capacity) return jsonAnswer(503, { error: 'No session available' });
        const taken = new Set(live.map((x) => x.name));
        let index = 1;
        while (taken.has(sessionName(env.name, index))) index++;
        s = {
          name: sessionName(env.name, index),
          environment: env.name,
          owner: username,
          token: alphanumericToken(32),
          state: 'STARTING',
          started: now(),
          // Not activated within `timeout` seconds, the session is deleted (docs: "after 60 seconds").
          expires: now() + Math.max(1, timeout),
          indexUrl,
        };
        await save(s);
      }
      return jsonAnswer(200, {
        name: s.name,
        session: s.name,
        user: s.owner,
        url: `/workshops/session/${s.name}/activate/?token=${quotePlus(s.token)}&index_url=${quotePlus(indexUrl)}`,
        namespace: s.name,
        workshop: env.workshop.name,
        environment: env.name,
      });
    });
  };

  /** GET /workshops/session/{name}/activate/?token= (session_activate): the browser's step; no bearer token. */
  const activate = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    if (req.method !== 'GET') return html(405, '', { Allow: 'GET' });
    const query = new URLSearchParams(queryOf(req, 'keep-literal').pairs);
    const token = query.get('token');
    if (!token) return html(400, 'No access token supplied');
    const s = await session(params.name!);
    if (!s) return html(400, 'Invalid session name supplied');
    if (s.token !== token) return html(400, 'Invalid access token for session');
    if (s.state !== 'RUNNING') {
      const env = environment(s.environment);
      s.state = 'RUNNING';
      s.expires = now() + (env?.duration ?? ENVIRONMENT_DEFAULTS.duration);
      await save(s);
    }
    // The dashboard itself (/workshops/session/{name}/) is the workshop's, not served by the mock.
    return html(302, '', { Location: `/workshops/session/${s.name}/` });
  };

  /** The owner, a robot or staff may act on a session (views/session.py). */
  async function permitted(
    req: MockRequest,
    name: string,
    mustBeAllocated: boolean,
  ): Promise<MockResponse | { s: WorkshopSession }> {
    const user = await tokenUser(req);
    if (!user) return html(403, '');
    if (req.method !== 'GET') return html(405, '', { Allow: 'GET' });
    const s = await session(name);
    if (!s) return djangoNotFound();
    if (mustBeAllocated && s.state !== 'STARTING' && s.state !== 'RUNNING')
      return html(400, 'Session is not currently in use');
    if (!user.groups.includes(STAFF_GROUP) && !user.groups.includes(ROBOTS_GROUP) && s.owner !== user.username)
      return html(403, 'Access to session not permitted');
    return { s };
  }

  /** GET /workshops/session/{name}/schedule/ (session_schedule). */
  const schedule = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const r = await permitted(req, params.name!, false);
    if (!('s' in r)) return r;
    const remaining = Math.max(0, Math.floor(r.s.expires - now()));
    return jsonAnswer(200, {
      status: r.s.state,
      started: djangoDateTime(r.s.started),
      expires: djangoDateTime(r.s.expires),
      expiring: remaining <= 300,
      countdown: remaining,
      // Extension (session_extend) is not modelled: a mock session is never extendable.
      extendable: false,
    });
  };

  /** GET /workshops/session/{name}/terminate/ (session_terminate): the session stops and its place frees. */
  const terminate = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const r = await permitted(req, params.name!, true);
    if (!('s' in r)) return r;
    await store.deleteDoc(sessionKey(r.s.name));
    await store.removeMember(allocatedKey(r.s.environment), r.s.name);
    return jsonAnswer(200, { started: djangoDateTime(r.s.started), expires: djangoDateTime(r.s.expires) });
  };

  return { catalog, status, request, activate, schedule, terminate };
}

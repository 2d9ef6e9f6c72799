import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { basic, http, postForm, schemaErrors } from '../support/http.js';

// The robot account and the admin of the provider document (seeds/000): only the robot may use the REST API.
const CLIENT_ID = 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1';
const SECRET = 't5IfXbGZQThAKR43apoc9usOFVDv2BLE';
const ROBOT = { username: 'robot@learningcenter', password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5' };
const ADMIN = { username: 'learningcenter', password: '0kGmMlYw46BZT2vCntyrRuFf1gQq5ohi' };
const ENV = 'educates-lab-w01';

let idp: RunningMock;
beforeAll(async () => {
  // A frozen clock: countdowns are exact, and time moves only when a test moves it.
  idp = await startMock({ flavour: 'portal', port: 0, clock: { frozen: true } });
});
afterAll(() => idp.close());
beforeEach(() => idp.reset());

async function tokenOf(user: { username: string; password: string }): Promise<string> {
  const r = await postForm(
    idp.tokenEndpoint,
    { grant_type: 'password', ...user },
    { authorization: basic(CLIENT_ID, SECRET) },
  );
  expect(r.status).toBe(200);
  return String(r.json().access_token);
}
const get = (path: string, token?: string) =>
  http('GET', idp.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const requestSession = (token: string, query = 'index_url=https://hub.test/') =>
  get(`/workshops/environment/${ENV}/request/?${query}`, token);

describe('portal mock: workshop sessions through the REST API (robots only)', () => {
  it('a robot requests a session, the URL activates it, its schedule and the environment status show it', async () => {
    const robot = await tokenOf(ROBOT);
    const r = await requestSession(robot, 'index_url=https://hub.test/&user=alice');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(schemaErrors('portal', 'workshop-session', r)).toEqual([]);
    const s = r.json();
    expect(s).toMatchObject({
      name: `${ENV}-s001`,
      session: `${ENV}-s001`,
      user: 'alice',
      workshop: 'lab-k8s-fundamentals',
    });
    expect(String(s.url)).toMatch(
      /^\/workshops\/session\/educates-lab-w01-s001\/activate\/\?token=[A-Za-z0-9]{32}&index_url=https%3A%2F%2Fhub.test%2F$/,
    );
    // The same user again: the same session (retrieve_session_for_user).
    expect((await requestSession(robot, 'index_url=https://hub.test/&user=alice')).json().name).toBe(s.name);

    const before = await get(`/workshops/session/${s.name}/schedule/`, robot);
    expect(before.json().status).toBe('STARTING');
    const activated = await get(String(s.url));
    expect([activated.status, activated.headers.location]).toEqual([302, `/workshops/session/${s.name}/`]);
    const schedule = await get(`/workshops/session/${s.name}/schedule/`, robot);
    expect(schedule.status).toBe(200);
    expect(schemaErrors('portal', 'session-schedule', schedule)).toEqual([]);
    expect(schedule.json()).toMatchObject({ status: 'RUNNING', countdown: 1800 });

    const status = await get(`/workshops/environment/${ENV}/status/?sessions=true`, robot);
    expect(status.status).toBe(200);
    expect(schemaErrors('portal', 'environment-status', status)).toEqual([]);
    expect(status.json()).toMatchObject({ name: ENV, capacity: 3, allocated: 1, available: 2 });
    expect((status.json().sessions as { user: string }[]).map((x) => x.user)).toEqual(['alice']);
    expect((await get(`/workshops/environment/${ENV}/status/`, robot)).json().sessions).toBeUndefined();

    const ended = await get(`/workshops/session/${s.name}/terminate/`, robot);
    expect(ended.status).toBe(200);
    expect((await get(`/workshops/environment/${ENV}/status/`, robot)).json()).toMatchObject({ allocated: 0 });
    expect((await get(`/workshops/session/${s.name}/schedule/`, robot)).status).toBe(404);
  });

  it('the admin user gets a token, as the portal gives one, but the REST API refuses it', async () => {
    const admin = await tokenOf(ADMIN);
    for (const [path, text] of [
      [`/workshops/environment/${ENV}/request/?index_url=https://hub.test/`, 'Session requests not permitted'],
      [`/workshops/environment/${ENV}/status/`, 'Status requests not permitted'],
    ] as const) {
      const r = await get(path, admin);
      expect([r.status, r.text, r.headers['content-type']]).toEqual([403, text, 'text/html; charset=utf-8']);
      expect(schemaErrors('portal', 'resource-error', r)).toEqual([]);
    }
  });

  it('a missing, bad or expired token is a bare 403; the view refuses bad requests in its own words', async () => {
    const robot = await tokenOf(ROBOT);
    for (const token of [undefined, 'not-a-token']) {
      const r = await get(`/workshops/environment/${ENV}/request/?index_url=x`, token);
      expect([r.status, r.text]).toEqual([403, '']);
    }
    const refusals: [string, number, string][] = [
      [`/workshops/environment/${ENV}/request/`, 400, 'Need redirect URL for workshop index'],
      [
        `/workshops/environment/${ENV}/request/?redirect_url=x&email=not-an-address`,
        400,
        'Invalid email address provided',
      ],
      ['/workshops/environment/no-such-env/request/?index_url=x', 403, 'Environment does not exist'],
      ['/workshops/environment/no-such-env/status/', 403, 'Environment does not exist'],
      [`/workshops/environment/${ENV}/request/?index_url=x&timeout=soon`, 400, 'Invalid timeout value'],
    ];
    for (const [path, status, text] of refusals) {
      const r = await get(path, robot);
      expect([path, r.status, r.text]).toEqual([path, status, text]);
      expect(schemaErrors('portal', 'resource-error', r)).toEqual([]);
    }
    const badJson = await http('POST', `${idp.url}/workshops/environment/${ENV}/request/?index_url=x`, {
      body: '{"parameters": {}}',
      headers: { authorization: `Bearer ${robot}`, 'content-type': 'application/json' },
    });
    expect([badJson.status, badJson.text]).toEqual([400, 'Malformed JSON request payload']);
    idp.clock.advance(36000);
    expect((await requestSession(robot)).status).toBe(403);
  });

  it('capacity: a fourth user gets 503 No session available; an unactivated session is gone after its timeout', async () => {
    const robot = await tokenOf(ROBOT);
    for (const user of ['u1', 'u2', 'u3'])
      expect((await requestSession(robot, `index_url=x&user=${user}`)).status).toBe(200);
    const full = await requestSession(robot, 'index_url=x&user=u4');
    expect([full.status, full.text]).toEqual([503, '{"error": "No session available"}']);
    expect(schemaErrors('portal', 'resource-error', full)).toEqual([]);
    // Not activated: deleted after the request's timeout (60 s), and the place frees.
    idp.clock.advance(61);
    const again = await requestSession(robot, 'index_url=x&user=u4');
    expect([again.status, again.json().name]).toEqual([200, `${ENV}-s001`]);
  });

  it('a configured environment and the catalog list what is allocated; the owner sees its session', async () => {
    const own = await startMock({
      flavour: 'portal',
      port: 0,
      portal: { environments: [{ name: 'lab-one-w01', workshop: { name: 'lab-one' }, capacity: 1 }] },
    } as never);
    try {
      const r = await postForm(
        own.tokenEndpoint,
        { grant_type: 'password', ...ROBOT },
        { authorization: basic(CLIENT_ID, SECRET) },
      );
      const robot = String(r.json().access_token);
      const h = { authorization: `Bearer ${robot}` };
      const s = await http('GET', `${own.url}/workshops/environment/lab-one-w01/request/?index_url=x`, { headers: h });
      expect(s.json().name).toBe('lab-one-w01-s001');
      const catalog = await http('GET', `${own.url}/workshops/catalog/environments/`, { headers: h });
      const env = (catalog.json().environments as Record<string, unknown>[])[0]!;
      expect(env).toMatchObject({ name: 'lab-one-w01', capacity: 1, allocated: 1, available: 0 });
      // catalog.py's member order: the workshop (name, resource first) after name and state, the sessions last.
      expect(Object.keys(env)).toEqual([
        'name',
        'state',
        'workshop',
        'duration',
        'capacity',
        'reserved',
        'allocated',
        'available',
        'sessions',
      ]);
      expect(Object.keys(env.workshop as object).slice(0, 3)).toEqual(['name', 'resource', 'title']);
    } finally {
      await own.close();
    }
  });
});

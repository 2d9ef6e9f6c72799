/**
 * InfoLink's OAuth2 token endpoint and job resources. Behaviour from reference/flavours.md §4 and the provider
 * document (seeds/004): the success shape, the refresh-token-only refresh, the resource envelope and the
 * expired-token bodies. Everything the public material leaves open is a documented choice (src/flavours/infolink.ts).
 */
import { descriptor } from '../../src/flavours/infolink.js';
import { uuidToken } from '../core/random.js';
import type { FlavourMock, MockConfigPatch, MockContext } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { bearerToken, formOf, Params, queryOf, type MockRequest, type MockResponse } from '../core/http.js';
import { passwordMatches } from '../core/passwords.js';

const INVALID = 'Credentials or token is invalid or expired';
const HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** The token error as the document prints it: error_description before error. */
const tokenError = (status: number, error: string, description: string): MockResponse => ({
  status,
  headers: { ...HEADERS },
  body: JSON.stringify({ error_description: description, error }),
});

const envelope = (status: number, result: unknown, outcome: 'success' | 'error'): MockResponse => ({
  status,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ result, status: outcome }),
});

const presets: Record<string, MockConfigPatch> = {
  default: {
    // The document's own example client and user, so its requests work as written.
    clients: [{ clientId: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6', clientSecret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4', grants: ['client_credentials', 'password', 'refresh_token'] }],
    users: [{ username: 'john@company.com', password: 'mypassword' }],
    tokens: { accessTokenLifetime: 1800, refreshTokenLifetime: 86400 },
    refresh: { rotate: true, revokeOldRefreshToken: true, revokeOldAccessToken: false, graceSeconds: 0, maxReuse: 0 },
  },
};

function create(ctx: MockContext) {
  const lifetime = ctx.config.tokens.accessTokenLifetime;
  const issuedBody = (access: string, refresh: string) => JSON.stringify({ access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: lifetime });

  const token = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method !== 'POST') return tokenError(405, 'invalid_request', 'Method not allowed');
    // The form body only (documented choice: credentials never from the URI), first value wins, broken %-encoding dropped.
    const p = new Params(formOf(req, 'drop').pairs);
    const grantType = p.first('grant_type');
    const clientId = p.first('client_id');
    const note = { ...(grantType ? { grantType } : {}), ...(clientId ? { clientId } : {}), clientAuth: clientId ? ('post' as const) : ('none' as const) };
    const answer = (r: MockResponse): MockResponse => {
      r.note = note;
      return r;
    };
    if (!grantType) return answer(tokenError(400, 'invalid_request', 'Missing grant_type'));

    if (grantType === 'refresh_token') {
      // The document's refresh sends the refresh token alone.
      const presented = p.first('refresh_token');
      if (!presented) return answer(tokenError(400, 'invalid_request', 'Missing refresh_token'));
      const found = await ctx.grants.lookupRefresh(presented);
      if (found.state !== 'active') {
        if (found.record && found.state === 'superseded') await ctx.grants.onReplay(found.record);
        return answer(tokenError(400, 'invalid_grant', INVALID));
      }
      if (clientId !== undefined && clientId !== found.record!.clientId) return answer(tokenError(400, 'invalid_grant', INVALID));
      // Documented choice: client credentials are optional on refresh (the document sends none), but when a secret is
      // sent it is checked like on the grant: a wrong one is a client authentication failure.
      const secret = p.first('client_secret');
      if (secret !== undefined && ctx.clients.get(found.record!.clientId)?.clientSecret !== secret) return answer(tokenError(401, 'invalid_client', 'Client authentication failed'));
      const used = await ctx.grants.refreshGrant(found.record!);
      // Another request (on any replica) used it first and it is spent now: as if this one had come second.
      if ('lost' in used) {
        if (used.record && used.lost === 'superseded') await ctx.grants.onReplay(used.record);
        return answer(tokenError(400, 'invalid_grant', INVALID));
      }
      const { access, refresh } = used;
      return answer({ status: 200, headers: { ...HEADERS }, body: issuedBody(access.value, refresh.value) });
    }

    if (grantType !== 'client_credentials' && grantType !== 'password') return answer(tokenError(400, 'unsupported_grant_type', 'Unsupported grant type'));
    const client = clientId ? ctx.clients.get(clientId) : undefined;
    if (!client || !client.enabled || client.clientSecret === undefined || client.clientSecret !== p.first('client_secret')) {
      return answer(tokenError(401, 'invalid_client', 'Client authentication failed'));
    }
    if (!client.grants.includes(grantType)) return answer(tokenError(400, 'unauthorized_client', 'Grant type not allowed for this client'));
    let username: string | undefined;
    if (grantType === 'password') {
      for (const name of ['username', 'password']) if (!p.first(name)) return answer(tokenError(400, 'invalid_request', `Missing ${name}`));
      const user = ctx.users.get(p.first('username')!);
      if (!user || !user.enabled || !passwordMatches(user, p.first('password'))) return answer(tokenError(400, 'invalid_grant', INVALID));
      username = user.username;
    }
    // InfoLink returns a refresh token for client_credentials too (the document's example).
    const issued = await ctx.grants.issue({ clientId: client.clientId, ...(username ? { username } : {}), scope: [], withRefresh: true });
    return answer({ status: 200, headers: { ...HEADERS }, body: issuedBody(issued.access.value, issued.refresh!.value) });
  };

  /** Bearer-protected job resources answer a missing, unknown or expired token with the document's envelope. */
  const protectedResource = (run: (req: MockRequest) => MockResponse) => async (req: MockRequest): Promise<MockResponse> => {
    const value = bearerToken(req);
    if (!value || (await ctx.grants.lookupAccess(value)).state !== 'active') {
      return envelope((ctx.config.extra.infolink as { resourceErrorStatus: number }).resourceErrorStatus, { code: 'invalid_grant', message: INVALID }, 'error');
    }
    return run(req);
  };

  let nextJob = 1000;
  const executeJob = protectedResource((req) => {
    if (req.method !== 'POST') return envelope(405, { message: 'Method not allowed' }, 'error');
    // The provider document's own call sends single-quoted members ({'appId':'170', ...}): the reader is lenient about quotes.
    const text = req.body.toString('utf8') || 'null';
    if (!parsesLeniently(text)) return envelope(400, { message: 'Invalid request body' }, 'error');
    return envelope(200, { jobId: nextJob++, jobStatus: 'COMPLETED' }, 'success');
  });
  const jobStatus = protectedResource((req) => {
    const jobId = Number(new Params(queryOf(req, 'drop').pairs).first('jobId'));
    if (!Number.isInteger(jobId)) return envelope(400, { message: 'Missing jobId' }, 'error');
    return envelope(200, { jobId, jobStatus: 'COMPLETED' }, 'success');
  });

  return {
    routes: [
      pathRoute('token', descriptor.tokenPath, token),
      pathRoute('resource', descriptor.resource!.path, executeJob),
      pathRoute('resource', '/api/v1/executeJob.jsp', executeJob),
      pathRoute('resource', '/api/v1/getJobStatus.jsp', jobStatus),
    ],
    notFound: () => envelope(404, { message: 'Not found' }, 'error'),
    errorResponse: (status: number, code: string, description: string) => tokenError(status, code, description),
  };
}

export const mock: FlavourMock = {
  descriptor,
  sectionDefaults: { resourceErrorStatus: 401 },
  presets,
  defaultPreset: 'default',
  sharesStore: true,
  tokens: { access: uuidToken, refresh: uuidToken },
  create,
  // Its document shows client id and secret in the body only.
  describe: () => ({ clientAuth: 'post' }),
  endpoints: (_config, base) => ({ token: base + descriptor.tokenPath, resource: base + descriptor.resource!.path }),
};

/** JSON, or JSON with single-quoted strings and names (a lenient Java reader's, as the document's executeJob example needs). */
function parsesLeniently(text: string): boolean {
  for (const candidate of [text, text.replace(/'/g, '"')]) {
    try {
      JSON.parse(candidate);
      return true;
    } catch {
      // try the next reading
    }
  }
  return false;
}

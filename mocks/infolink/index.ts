/**
 * InfoLink's OAuth2 token endpoint and job resources. Behaviour from the provider document (InfoLink's OAuth 2.0
 * authentication page): the success shape, the refresh-token-only refresh, the resource envelope and the
 * expired-token bodies. Everything the public material leaves open is a documented choice (src/flavours/infolink.ts).
 */
import { descriptor } from '../../src/flavours/infolink.js';
import { uuidToken } from '../core/random.js';
import type { FlavourMock, MockConfigPatch, MockContext } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { bearerToken, Params, queryOf, type MockRequest, type MockResponse } from '../core/http.js';
import { infolinkTokenEndpoint } from './token.js';
import { INVALID, tokenError } from './wire.js';

const envelope = (status: number, result: unknown, outcome: 'success' | 'error'): MockResponse => ({
  status,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ result, status: outcome }),
});

const presets: Record<string, MockConfigPatch> = {
  default: {
    // The document's own example client and user, so its requests work as written.
    clients: [
      {
        clientId: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
        clientSecret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
        grants: ['client_credentials', 'password', 'refresh_token'],
      },
    ],
    users: [{ username: 'john@company.com', password: 'mypassword' }],
    tokens: { accessTokenLifetime: 1800, refreshTokenLifetime: 86400 },
    refresh: { rotate: true, revokeOldRefreshToken: true, revokeOldAccessToken: false, graceSeconds: 0, maxReuse: 0 },
  },
};

function create(ctx: MockContext) {
  /** Bearer-protected job resources answer a missing, unknown or expired token with the document's envelope. */
  const protectedResource =
    (run: (req: MockRequest) => MockResponse) =>
    async (req: MockRequest): Promise<MockResponse> => {
      const value = bearerToken(req);
      if (!value || (await ctx.grants.lookupAccess(value)).state !== 'active') {
        return envelope(
          (ctx.config.extra.infolink as { resourceErrorStatus: number }).resourceErrorStatus,
          { code: 'invalid_grant', message: INVALID },
          'error',
        );
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
      pathRoute('token', descriptor.tokenPath, infolinkTokenEndpoint(ctx)),
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

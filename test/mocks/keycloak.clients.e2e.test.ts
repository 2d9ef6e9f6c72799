/** Interoperability: real OAuth/OIDC clients against the Keycloak mock, with their strict response processing. */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';

let idp: RunningMock;
let issuer: URL;
beforeAll(async () => {
  idp = await startMock({ flavour: 'keycloak', preset: 'current' });
  issuer = new URL(`${idp.url}/realms/master`);
});
afterAll(() => idp.close());

describe('openid-client', () => {
  it('discovery, client_credentials, and the access token verifies through the published JWKS', async () => {
    const config = await client.discovery(issuer, 'conformance-service', 'conformance-service-secret', undefined, {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().issuer).toBe(issuer.href);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'profile' });
    expect(tokens.token_type).toBe('bearer'); // openid-client normalises the case
    expect(tokens.refresh_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: issuer.href });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ typ: 'Bearer', azp: 'conformance-service' });
  });

  it('password grant with scope openid (ID token verified with the JWKS), then refresh', async () => {
    const config = await client.discovery(issuer, 'conformance-app', 'conformance-app-secret', undefined, {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    const tokens = await client.genericGrantRequest(config, 'password', {
      username: 'qa-bot',
      password: 'qa-bot-password',
      scope: 'openid',
    });
    expect(tokens.claims()).toMatchObject({
      iss: issuer.href,
      aud: 'conformance-app',
      typ: 'ID',
      preferred_username: 'qa-bot',
    });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()?.sub).toBe(tokens.claims()?.sub);
    const info = await client.fetchUserInfo(config, refreshed.access_token, tokens.claims()!.sub);
    expect(info.preferred_username).toBe('qa-bot');
  });

  it("a refused grant surfaces as a ResponseBodyError with Keycloak's error and description", async () => {
    const config = await client.discovery(issuer, 'conformance-app', 'conformance-app-secret', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const error = await client
      .genericGrantRequest(config, 'password', { username: 'qa-bot', password: 'wrong' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect(error).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid user credentials', status: 401 });
  });
});

describe('oauth4webapi', () => {
  const options = { [oauth.allowInsecureRequests]: true };

  it('password grant through the generic token endpoint request, refresh, strict processing', async () => {
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
    const app: oauth.Client = { client_id: 'conformance-app' };
    const auth = oauth.ClientSecretPost('conformance-app-secret');
    const response = await oauth.genericTokenEndpointRequest(
      as,
      app,
      auth,
      'password',
      new URLSearchParams({ username: 'qa-bot', password: 'qa-bot-password' }),
      options,
    );
    const result = await oauth.processGenericTokenEndpointResponse(as, app, response);
    expect(result.token_type).toBe('bearer');
    expect(typeof result.expires_in).toBe('number');
    const refresh = await oauth.refreshTokenGrantRequest(as, app, auth, result.refresh_token!, options);
    const refreshed = await oauth.processRefreshTokenResponse(as, app, refresh);
    expect(refreshed.access_token).not.toBe(result.access_token);
    const basic = oauth.ClientSecretBasic('conformance-service-secret');
    const cc = await oauth.processClientCredentialsResponse(
      as,
      { client_id: 'conformance-service' },
      await oauth.clientCredentialsGrantRequest(
        as,
        { client_id: 'conformance-service' },
        basic,
        new URLSearchParams(),
        options,
      ),
    );
    expect(cc.refresh_token).toBeUndefined();
  });

  it('an error response is a ResponseBodyError (RFC 6749 §5.2 shape)', async () => {
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
    const app: oauth.Client = { client_id: 'conformance-app' };
    const response = await oauth.refreshTokenGrantRequest(
      as,
      app,
      oauth.ClientSecretPost('conformance-app-secret'),
      'garbage',
      options,
    );
    const error = await oauth.processRefreshTokenResponse(as, app, response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect(error).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
  });
});

describe('generated signing key', () => {
  it('"signingKey": "generate" makes a fresh key at first use; clients verify tokens with the published JWKS', async () => {
    const m = await startMock({ flavour: 'keycloak', preset: 'current', keycloak: { signingKey: 'generate' } });
    try {
      const iss = new URL(`${m.url}/realms/master`);
      const config = await client.discovery(iss, 'conformance-service', 'conformance-service-secret', undefined, {
        execute: [client.allowInsecureRequests],
      });
      const tokens = await client.clientCredentialsGrant(config);
      const { protectedHeader } = await jwtVerify(
        tokens.access_token,
        createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)),
        { issuer: iss.href },
      );
      const fixture = (await import('../../mocks/keycloak/fixture-key.json', { with: { type: 'json' } })).default as {
        keys: { kid: string }[];
      };
      expect(protectedHeader.kid).not.toBe(fixture.keys[0]!.kid);
    } finally {
      await m.close();
    }
  });
});

describe('openid-client against the legacy preset: discovery, client_credentials, refresh', () => {
  it('refreshes the refresh token that legacy Keycloak issues for client_credentials', async () => {
    const { startMock } = await import('../../mocks/index.js');
    const idp = await startMock({ flavour: 'keycloak', preset: 'legacy', journal: { enabled: false } });
    try {
      const client = await import('openid-client');
      const issuer = new URL(idp.endpoints.discovery!.replace('/.well-known/openid-configuration', ''));
      const config = await client.discovery(issuer, 'conformance-service', 'conformance-service-secret', undefined, {
        execute: [client.allowInsecureRequests],
      });
      const tokens = await client.clientCredentialsGrant(config);
      expect(tokens.refresh_token).toBeTruthy();
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).toBeTruthy();
      expect(refreshed.access_token).not.toBe(tokens.access_token);
    } finally {
      await idp.close();
    }
  });
});

/** Series K: what the discovery document (RFC 8414) advertises against what the endpoint does. */
import { defineCheck, outcome } from './define.js';

const RFC8414 = 'https://www.rfc-editor.org/rfc/rfc8414';

export const advertisedGrants = defineCheck({
  id: 'TE-K1',
  title: 'Advertised grant types match what the endpoint does',
  level: 'SHOULD',
  requirement: 'RFC 8414 §2',
  url: `${RFC8414}#section-2`,
  /** grant_types_supported defaults to authorization_code and implicit (RFC 8414 §2). */
  judge: (advertised: string[] | undefined, used: string[]) => {
    const missing = used.filter((g) => !(advertised ?? ['authorization_code', 'implicit']).includes(g));
    return outcome(
      missing.length === 0,
      `grant_types_supported lacks ${missing.join(', ')}, which the endpoint grants`,
    );
  },
});

export const advertisedAuthMethods = defineCheck({
  id: 'TE-K2',
  title: 'Advertised client authentication methods match what the endpoint accepts',
  level: 'SHOULD',
  requirement: 'RFC 8414 §2',
  url: `${RFC8414}#section-2`,
  /** token_endpoint_auth_methods_supported defaults to client_secret_basic (RFC 8414 §2). */
  judge: (advertised: string[] | undefined, accepted: string[]) => {
    const unlisted = accepted.filter((m) => !(advertised ?? ['client_secret_basic']).includes(m));
    return outcome(
      unlisted.length === 0,
      `token_endpoint_auth_methods_supported lacks ${unlisted.join(', ')}, which the endpoint accepts`,
    );
  },
});

export const issuerOfDocument = defineCheck({
  id: 'TE-K3',
  title: 'The discovery issuer is the issuer the document was fetched for',
  level: 'MUST',
  requirement: 'RFC 8414 §3.3; OIDC Discovery §4.3',
  url: `${RFC8414}#section-3.3`,
  /** The document lives at {issuer}/.well-known/openid-configuration (OIDC) or /.well-known/oauth-authorization-server inserted after the host (RFC 8414 §3). */
  judge: (issuer: unknown, documentUrl: string, configured: string | undefined) => {
    if (typeof issuer !== 'string') return outcome(false, 'the discovery document has no issuer');
    const oidc = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const u = new URL(issuer);
    const rfc8414 = `${u.origin}/.well-known/oauth-authorization-server${u.pathname === '/' ? '' : u.pathname}`;
    if (configured !== undefined && issuer !== configured)
      return outcome(false, `issuer ${issuer} is not the configured ${configured}`);
    return outcome(
      documentUrl === oidc || documentUrl === rfc8414,
      `issuer ${issuer} does not name the document's URL ${documentUrl}`,
    );
  },
});

/**
 * The endpoint members of RFC 8414 §2 and OIDC Discovery §3, with the method each is used with: a POST-only
 * endpoint may well answer a GET with 404 (oidc-provider's router does), so each is probed as it is used.
 */
export const ADVERTISED_ENDPOINTS = {
  token_endpoint: 'POST',
  authorization_endpoint: 'GET',
  revocation_endpoint: 'POST',
  introspection_endpoint: 'POST',
  userinfo_endpoint: 'GET',
  jwks_uri: 'GET',
  end_session_endpoint: 'GET',
  registration_endpoint: 'POST',
  device_authorization_endpoint: 'POST',
} as const;

export const advertisedEndpointsAnswer = defineCheck({
  id: 'TE-K4',
  title: 'Every endpoint the discovery document advertises answers (not 404)',
  level: 'SHOULD',
  requirement: 'derived (RFC 8414 §2)',
  url: `${RFC8414}#section-2`,
  judge: (answers: { member: string; url: string; status: number | undefined }[]) => {
    const missing = answers.filter((a) => a.status === 404 || a.status === undefined);
    return outcome(
      missing.length === 0,
      missing.map((a) => `${a.member} ${a.url} answered ${a.status ?? 'nothing'}`).join('; '),
    );
  },
});

/** Series K: what the discovery document (RFC 8414) advertises against what the endpoint does. */
import { defineCheck, outcome } from './define.js';

const RFC8414 = 'https://www.rfc-editor.org/rfc/rfc8414';

export const advertisedGrants = defineCheck({
  id: 'TE-K1', title: 'Advertised grant types match what the endpoint does', level: 'SHOULD', requirement: 'RFC 8414 §2', url: `${RFC8414}#section-2`,
  /** grant_types_supported defaults to authorization_code and implicit (RFC 8414 §2). */
  judge: (advertised: string[] | undefined, used: string[]) => {
    const missing = used.filter((g) => !(advertised ?? ['authorization_code', 'implicit']).includes(g));
    return outcome(missing.length === 0, `grant_types_supported lacks ${missing.join(', ')}, which the endpoint grants`);
  },
});

export const advertisedAuthMethods = defineCheck({
  id: 'TE-K2', title: 'Advertised client authentication methods match what the endpoint accepts', level: 'SHOULD', requirement: 'RFC 8414 §2', url: `${RFC8414}#section-2`,
  /** token_endpoint_auth_methods_supported defaults to client_secret_basic (RFC 8414 §2). */
  judge: (advertised: string[] | undefined, accepted: string[]) => {
    const unlisted = accepted.filter((m) => !(advertised ?? ['client_secret_basic']).includes(m));
    return outcome(unlisted.length === 0, `token_endpoint_auth_methods_supported lacks ${unlisted.join(', ')}, which the endpoint accepts`);
  },
});

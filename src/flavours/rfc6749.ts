import type { FlavourDescriptor } from './types.js';

/** A generic RFC 6749 authorization server: no departures, Basic and body client authentication. */
export const descriptor: FlavourDescriptor = {
  name: 'rfc6749',
  title: 'Generic RFC 6749 authorization server',
  tokenPath: '/token',
  configPaths: { token: '/token' },
  grants: ['password', 'client_credentials', 'refresh_token'],
  clientAuth: ['basic', 'post'],
  tokenTypes: ['Bearer'],
  jsonStyle: 'compact',
  deviations: [],
  expectedErrors: {
    'missing-grant-type': { status: 400, error: 'invalid_request' },
    'unknown-grant-type': { status: 400, error: 'unsupported_grant_type' },
    'bad-password': { status: 400, error: 'invalid_grant' },
    'unknown-user': { status: 400, error: 'invalid_grant' },
    'missing-refresh-token': { status: 400, error: 'invalid_request' },
    'bad-refresh-token': { status: 400, error: 'invalid_grant' },
  },
  refreshMode: 'unknown',
  rfcBaseline: true,
};

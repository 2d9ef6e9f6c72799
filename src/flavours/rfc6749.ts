import type { FlavourDescriptor } from './types.js';

/** A generic RFC 6749 authorization server: no departures, Basic and body client authentication. */
export const rfc6749: FlavourDescriptor = {
  name: 'rfc6749',
  title: 'Generic RFC 6749 authorization server',
  tokenPath: '/token',
  grants: ['password', 'client_credentials', 'refresh_token'],
  clientAuth: ['basic', 'post'],
  tokenTypes: ['Bearer'],
  jsonStyle: 'compact',
  deviations: [],
};

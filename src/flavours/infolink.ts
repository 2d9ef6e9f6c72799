import type { FlavourDescriptor } from './types.js';

/** InfoLink (Precisely). Source: the InfoLink provider document; docs-v3-8.infolinkcloud.com rest-api/authentication/oauth-20-auth. */
export const infolink: FlavourDescriptor = {
  name: 'infolink',
  title: 'InfoLink',
  tokenPath: '/api/v1/oauth2/token',
  clientAuth: ['post'],
  tokenTypes: ['Bearer'],
  jsonStyle: 'compact',
  deviations: [],
};

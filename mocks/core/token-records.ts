/** What the mocks keep of each token they issue: the records a grant store holds (mocks/core/grant-store.ts). */
import type { StoredToken } from './store.js';

export interface AccessRecord extends StoredToken {
  kind: 'access';
  clientId: string;
  username?: string;
  scope: string[];
  issuedAt: number;
  grantId: string;
  /** The refresh token issued together with this access token. */
  refreshValue?: string;
  /** Flavour data (brand key, session id, ...). */
  meta: Record<string, unknown>;
}

export interface RefreshRecord extends StoredToken {
  kind: 'refresh';
  clientId: string;
  username?: string;
  scope: string[];
  issuedAt: number;
  grantId: string;
  /** The access token most recently issued with (or from) this refresh token. */
  accessValue?: string;
  uses: number;
  supersededAt?: number;
  meta: Record<string, unknown>;
}

export type TokenRecord = AccessRecord | RefreshRecord;
export type RecordOf<K extends TokenRecord['kind']> = K extends 'access' ? AccessRecord : RefreshRecord;

import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { TokenStore, type StoredToken } from './store.js';

export interface RefreshPolicy {
  /** Issue a new refresh token on every refresh. */
  rotate: boolean;
  /** A superseded refresh token stops working (after the grace period / reuse allowance). */
  revokeOldRefreshToken: boolean;
  /** A refresh ends the access token it replaces. */
  revokeOldAccessToken: boolean;
  /** A superseded refresh token keeps working this many seconds. */
  graceSeconds: number;
  /** Extra uses a superseded refresh token allows (with revokeOldRefreshToken), besides the grace window. */
  maxReuse: number;
  /** Replaying a superseded refresh token revokes the whole grant (RFC 9700 §4.14.2). */
  revokeFamilyOnReplay: boolean;
  /** Scope of the refresh token a narrowed refresh returns (RFC 6749 §6 says the original). */
  scopeAfterNarrowing: 'original' | 'narrowed';
}

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

export type RefreshState = 'active' | 'expired' | 'superseded' | 'unknown';

export interface GrantSettings {
  accessTokenLifetime: number;
  /** 0: refresh tokens never expire. */
  refreshTokenLifetime: number;
  policy: RefreshPolicy;
  newAccessToken: () => string;
  newRefreshToken: () => string;
  maxTokens: number;
  /** Estimated heap bytes of all stored tokens: half for access, half for refresh tokens. */
  maxBytes: number;
  expiredRetention: number;
  /** Planted deviation: expired access tokens still count as active. */
  acceptExpired?: boolean;
}

export interface Issued {
  access: AccessRecord;
  refresh?: RefreshRecord;
  /** True when an existing unexpired token was handed out again (Spring's DefaultTokenServices). */
  reused: boolean;
}

/**
 * Grants, access and refresh tokens with a refresh policy (rotation, reuse, grace, max reuse, family revocation).
 * Flavours decide what to answer; this decides which tokens are valid.
 */
export class GrantService {
  readonly access: TokenStore<AccessRecord>;
  readonly refresh: TokenStore<RefreshRecord>;
  /**
   * Revoked grants: their tokens are dead wherever they are (no per-grant index). Each is remembered until the last
   * token the grant can have issued expires, in a bounded store of its own: memory stays flat under replay storms.
   */
  private readonly revokedGrants: TokenStore<StoredToken>;
  private readonly reuseIndex = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    readonly settings: GrantSettings,
  ) {
    const opts = { maxTokens: settings.maxTokens, maxBytes: settings.maxBytes / 2, expiredRetention: settings.expiredRetention };
    this.access = new TokenStore<AccessRecord>(opts);
    this.refresh = new TokenStore<RefreshRecord>(opts);
    this.revokedGrants = new TokenStore<StoredToken>({ maxTokens: settings.maxTokens, maxBytes: settings.maxBytes / 8, expiredRetention: settings.expiredRetention });
  }

  /**
   * A new grant. With `reuseKey`, an unexpired access token issued for the same key is returned again
   * (Spring Security OAuth2 DefaultTokenServices.createAccessToken).
   */
  issue(input: { clientId: string; username?: string; scope: string[]; withRefresh: boolean; reuseKey?: string; meta?: Record<string, unknown> }): Issued {
    const now = this.clock.now();
    if (input.reuseKey) {
      const existing = this.reuseIndex.get(input.reuseKey);
      const record = existing ? this.access.get(existing) : undefined;
      if (record && record.expiresAt > now) {
        const refresh = this.findRefreshFor(record);
        if (!input.withRefresh || (refresh && refresh.expiresAt > now)) return { access: record, refresh, reused: true };
      }
    }
    const grantId = randomUUID();
    const refresh = input.withRefresh ? this.newRefresh(grantId, input.clientId, input.username, input.scope, input.meta ?? {}, now) : undefined;
    const access = this.newAccess(grantId, input.clientId, input.username, input.scope, input.meta ?? {}, now);
    if (refresh) {
      refresh.accessValue = access.value;
      access.refreshValue = refresh.value;
    }
    if (input.reuseKey) {
      this.reuseIndex.set(input.reuseKey, access.value);
      access.meta.reuseKey = input.reuseKey;
    }
    return { access, refresh, reused: false };
  }

  lookupAccess(value: string): { record?: AccessRecord; state: 'active' | 'expired' | 'unknown' } {
    const record = this.access.get(value);
    if (!record || this.revokedGrants.get(record.grantId)) return { state: 'unknown' };
    if (this.settings.acceptExpired) return { record, state: 'active' }; // a planted deviation
    return { record, state: record.expiresAt <= this.clock.now() ? 'expired' : 'active' };
  }

  lookupRefresh(value: string): { record?: RefreshRecord; state: RefreshState } {
    const record = this.refresh.get(value);
    if (!record || this.revokedGrants.get(record.grantId)) return { state: 'unknown' };
    const now = this.clock.now();
    if (record.expiresAt <= now) return { record, state: 'expired' };
    const p = this.settings.policy;
    // A superseded refresh token stays usable while inside the grace window OR within its reuse allowance.
    if (record.supersededAt !== undefined && p.revokeOldRefreshToken) {
      const beyondGrace = p.graceSeconds === 0 || now - record.supersededAt > p.graceSeconds;
      if (beyondGrace && record.uses > p.maxReuse) return { record, state: 'superseded' };
    }
    return { record, state: 'active' };
  }

  /** Uses an active refresh token: a new access token, and per policy a new refresh token. */
  refreshGrant(record: RefreshRecord, scope: string[] = record.scope): { access: AccessRecord; refresh: RefreshRecord } {
    const now = this.clock.now();
    const p = this.settings.policy;
    record.uses += 1;
    if (p.revokeOldAccessToken && record.accessValue) this.revokeAccess(record.accessValue);
    const access = this.newAccess(record.grantId, record.clientId, record.username, scope, { ...record.meta }, now);
    let refresh = record;
    if (p.rotate) {
      // RFC 6749 §6: the new refresh token keeps the original scope, whatever the request narrowed;
      // django-oauth-toolkit instead takes it from the new access token (get_original_scopes).
      const refreshScope = p.scopeAfterNarrowing === 'narrowed' ? scope : record.scope;
      refresh = this.newRefresh(record.grantId, record.clientId, record.username, refreshScope, { ...record.meta }, now);
      record.supersededAt ??= now;
    }
    refresh.accessValue = access.value;
    access.refreshValue = refresh.value;
    if (typeof access.meta.reuseKey === 'string') this.reuseIndex.set(access.meta.reuseKey, access.value);
    return { access, refresh };
  }

  /** The replay of a superseded refresh token: per policy, the whole grant goes. */
  onReplay(record: RefreshRecord): void {
    if (this.settings.policy.revokeFamilyOnReplay) this.revokeGrant(record.grantId);
  }

  revokeGrant(grantId: string): void {
    const now = this.clock.now();
    const longest = this.settings.refreshTokenLifetime > 0 ? Math.max(this.settings.refreshTokenLifetime, this.settings.accessTokenLifetime) : Number.POSITIVE_INFINITY;
    this.revokedGrants.add({ value: grantId, expiresAt: now + longest }, now);
  }

  revokeAccess(value: string): void {
    this.access.delete(value);
  }

  /** Revokes a refresh token and the access token issued with it (django-oauth-toolkit RefreshToken.revoke). */
  revokeRefresh(value: string): void {
    const record = this.refresh.get(value);
    if (record?.accessValue) this.access.delete(record.accessValue);
    this.refresh.delete(value);
  }

  clear(): void {
    this.access.clear();
    this.refresh.clear();
    this.revokedGrants.clear();
    this.reuseIndex.clear();
  }

  private findRefreshFor(access: AccessRecord): RefreshRecord | undefined {
    return access.refreshValue ? this.refresh.get(access.refreshValue) : undefined;
  }

  private newAccess(grantId: string, clientId: string, username: string | undefined, scope: string[], meta: Record<string, unknown>, now: number): AccessRecord {
    const record: AccessRecord = {
      kind: 'access',
      value: this.settings.newAccessToken(),
      expiresAt: now + this.settings.accessTokenLifetime,
      clientId,
      ...(username !== undefined ? { username } : {}),
      scope,
      issuedAt: now,
      grantId,
      meta,
    };
    this.access.add(record, now);
    return record;
  }

  private newRefresh(grantId: string, clientId: string, username: string | undefined, scope: string[], meta: Record<string, unknown>, now: number): RefreshRecord {
    const lifetime = this.settings.refreshTokenLifetime;
    const record: RefreshRecord = {
      kind: 'refresh',
      value: this.settings.newRefreshToken(),
      expiresAt: lifetime > 0 ? now + lifetime : Number.POSITIVE_INFINITY,
      clientId,
      ...(username !== undefined ? { username } : {}),
      scope,
      issuedAt: now,
      grantId,
      uses: 0,
      meta,
    };
    this.refresh.add(record, now);
    return record;
  }
}

import { randomUUID } from 'node:crypto';
import type { RefreshPolicy as RefreshPolicySettings } from '../../src/generated/schemas.js';
import type { Clock } from './clock.js';
import { StoreUnavailable, type GrantStore, type TokenRecord } from './grant-store.js';

/** The refresh policy (schemas/config/mock-config.schema.json $defs/refresh-policy), every default filled in. */
export type RefreshPolicy = Required<RefreshPolicySettings>;

export type { AccessRecord, RefreshRecord } from './token-records.js';
import type { AccessRecord, RefreshRecord } from './token-records.js';

export type RefreshState = 'active' | 'expired' | 'superseded' | 'unknown';

export interface GrantSettings {
  accessTokenLifetime: number;
  /** 0: refresh tokens never expire. */
  refreshTokenLifetime: number;
  policy: RefreshPolicy;
  newAccessToken: () => string;
  newRefreshToken: () => string;
  /** Planted deviation: expired access tokens still count as active. */
  acceptExpired?: boolean;
}

export interface Issued {
  access: AccessRecord;
  refresh?: RefreshRecord;
  /** True when an existing unexpired token was handed out again (Spring's DefaultTokenServices). */
  reused: boolean;
}

/** A refresh that lost: another request (on this replica or another) used the token first and changed its state. */
export interface RefreshLost {
  lost: Exclude<RefreshState, 'active'>;
  record?: RefreshRecord;
}

/** Attempts of one refresh against concurrent ones: each round at least one request wins, so N parallel need N. */
const MAX_SWAP_ATTEMPTS = 1_000;

/**
 * Grants, access and refresh tokens with a refresh policy (rotation, reuse, grace, max reuse, family revocation).
 * Flavours decide what to answer; this decides which tokens are valid. The records live in a GrantStore (this
 * process's memory, or Redis shared by replicas); records are never changed in place: a use writes a new version
 * of the refresh record by compare-and-swap, so parallel refreshes across replicas give exactly the allowed successes.
 */
export class GrantService {
  constructor(
    private readonly clock: Clock,
    readonly settings: GrantSettings,
    readonly store: GrantStore,
  ) {}

  /**
   * A new grant. With `reuseKey`, an unexpired access token issued for the same key is returned again
   * (Spring Security OAuth2 DefaultTokenServices.createAccessToken).
   */
  async issue(input: {
    clientId: string;
    username?: string;
    scope: string[];
    withRefresh: boolean;
    reuseKey?: string;
    meta?: Record<string, unknown>;
  }): Promise<Issued> {
    const now = this.clock.now();
    if (input.reuseKey) {
      const existing = await this.store.reused(input.reuseKey);
      const record = existing ? await this.store.live('access', existing) : undefined;
      if (record && record.expiresAt > now) {
        const refresh = record.refreshValue ? await this.store.live('refresh', record.refreshValue) : undefined;
        if (!input.withRefresh || (refresh && refresh.expiresAt > now))
          return { access: record, refresh, reused: true };
      }
    }
    const grantId = randomUUID();
    const meta = { ...(input.meta ?? {}), ...(input.reuseKey ? { reuseKey: input.reuseKey } : {}) };
    const refresh = input.withRefresh
      ? this.newRefresh(grantId, input.clientId, input.username, input.scope, meta, now)
      : undefined;
    const access = this.newAccess(grantId, input.clientId, input.username, input.scope, meta, now);
    if (refresh) {
      refresh.accessValue = access.value;
      access.refreshValue = refresh.value;
    }
    await this.store.put(refresh ? [refresh, access] : [access], now);
    if (input.reuseKey) await this.store.setReused(input.reuseKey, access.value, access.expiresAt, now);
    return { access, refresh, reused: false };
  }

  async lookupAccess(value: string): Promise<{ record?: AccessRecord; state: 'active' | 'expired' | 'unknown' }> {
    const record = await this.store.live('access', value);
    if (!record) return { state: 'unknown' };
    if (this.settings.acceptExpired) return { record, state: 'active' }; // a planted deviation
    return { record, state: record.expiresAt <= this.clock.now() ? 'expired' : 'active' };
  }

  async lookupRefresh(value: string): Promise<{ record?: RefreshRecord; state: RefreshState }> {
    const record = await this.store.live('refresh', value);
    return record ? { record, state: this.refreshState(record) } : { state: 'unknown' };
  }

  /** What a refresh record allows now, by the policy. */
  private refreshState(record: RefreshRecord): RefreshState {
    const now = this.clock.now();
    if (record.expiresAt <= now) return 'expired';
    const p = this.settings.policy;
    // A superseded refresh token stays usable while inside the grace window OR within its reuse allowance.
    if (record.supersededAt !== undefined && p.revokeOldRefreshToken) {
      const beyondGrace = p.graceSeconds === 0 || now - record.supersededAt > p.graceSeconds;
      if (beyondGrace && record.uses > p.maxReuse) return 'superseded';
    }
    return 'active';
  }

  /**
   * Uses an active refresh token (as lookupRefresh found it): a new access token, and per policy a new refresh
   * token. If another request used it in the meantime and it is no longer usable, the answer says how it ended.
   */
  async refreshGrant(
    found: RefreshRecord,
    scope: string[] = found.scope,
  ): Promise<{ access: AccessRecord; refresh: RefreshRecord } | RefreshLost> {
    const p = this.settings.policy;
    let record: RefreshRecord | undefined = found;
    for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
      if (!record) return { lost: 'unknown' };
      const state = this.refreshState(record);
      if (state !== 'active') return { lost: state, record };
      const now = this.clock.now();
      const access = this.newAccess(record.grantId, record.clientId, record.username, scope, { ...record.meta }, now);
      let next: RefreshRecord = { ...record, uses: record.uses + 1 };
      const created: TokenRecord[] = [access];
      let refresh = next;
      if (p.rotate) {
        // RFC 6749 §6: the new refresh token keeps the original scope, whatever the request narrowed;
        // django-oauth-toolkit instead takes it from the new access token (get_original_scopes).
        const refreshScope = p.scopeAfterNarrowing === 'narrowed' ? scope : record.scope;
        refresh = this.newRefresh(
          record.grantId,
          record.clientId,
          record.username,
          refreshScope,
          { ...record.meta },
          now,
        );
        next = { ...next, supersededAt: record.supersededAt ?? now };
        created.push(refresh);
      }
      refresh.accessValue = access.value;
      access.refreshValue = refresh.value;
      const removed = p.revokeOldAccessToken && record.accessValue ? [record.accessValue] : [];
      if (await this.store.swap(record, next, created, removed, now)) {
        if (typeof access.meta.reuseKey === 'string')
          await this.store.setReused(access.meta.reuseKey, access.value, access.expiresAt, now);
        return { access, refresh };
      }
      record = await this.store.live('refresh', found.value);
    }
    // Never seen; answering "superseded" would revoke the grant of a token nobody replayed: 503, try again.
    throw new StoreUnavailable(`refresh token still contended after ${MAX_SWAP_ATTEMPTS} attempts`);
  }

  /** The replay of a superseded refresh token: per policy, the whole grant goes. */
  async onReplay(record: RefreshRecord): Promise<void> {
    if (this.settings.policy.revokeFamilyOnReplay) await this.revokeGrant(record.grantId);
  }

  async revokeGrant(grantId: string): Promise<void> {
    const now = this.clock.now();
    const longest =
      this.settings.refreshTokenLifetime > 0
        ? Math.max(this.settings.refreshTokenLifetime, this.settings.accessTokenLifetime)
        : Number.POSITIVE_INFINITY;
    await this.store.revokeGrant(grantId, now + longest, now);
  }

  async revokeAccess(value: string): Promise<void> {
    await this.store.delete('access', value);
  }

  /** Revokes a refresh token and the access token issued with it (django-oauth-toolkit RefreshToken.revoke). */
  async revokeRefresh(value: string): Promise<void> {
    const record = await this.store.live('refresh', value);
    if (record?.accessValue) await this.store.delete('access', record.accessValue);
    await this.store.delete('refresh', value);
  }

  async clear(): Promise<void> {
    await this.store.clear();
  }

  private newAccess(
    grantId: string,
    clientId: string,
    username: string | undefined,
    scope: string[],
    meta: Record<string, unknown>,
    now: number,
  ): AccessRecord {
    return {
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
  }

  private newRefresh(
    grantId: string,
    clientId: string,
    username: string | undefined,
    scope: string[],
    meta: Record<string, unknown>,
    now: number,
  ): RefreshRecord {
    const lifetime = this.settings.refreshTokenLifetime;
    return {
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
  }
}

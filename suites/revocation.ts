/** Revocation suite (RFC 7009), where the target has a revocation endpoint. */
import type { RunContext } from '../src/runner/context.js';
import { json } from '../src/runner/context.js';
import type { TargetClient } from '../src/runner/types.js';
import { freshGrant, refreshWith } from './refresh.js';

const SUITE = 'revocation';

function revoke(ctx: RunContext, client: TargetClient, params: Record<string, string>) {
  const body = new URLSearchParams({ ...params, client_id: client.clientId, ...(client.clientSecret ? { client_secret: client.clientSecret } : {}) });
  return ctx.transport.send('POST', ctx.target.revocationUrl!, { 'content-type': 'application/x-www-form-urlencoded' }, body.toString());
}

export async function revocationSuite(ctx: RunContext): Promise<void> {
  const t = ctx.target;
  if (!t.revocationUrl) {
    // A flavour that documents a revocation endpoint leaves these untested; RFC 7009 is otherwise optional.
    const documented = ctx.descriptor.revocationPath !== undefined;
    for (const c of ['TE-I1', 'TE-I2', 'TE-I3', 'TE-I4', 'TE-I5', 'TE-I7']) {
      ctx.skip(SUITE, c, documented ? 'the flavour has a revocation endpoint: configure endpoints.revocation' : 'no revocation endpoint', documented ? 'untested' : 'not-applicable');
    }
    return;
  }
  const g = await freshGrant(ctx);
  if (!g) {
    ctx.skip(SUITE, 'TE-I1', 'no refresh token to revoke', t.clients.user ?? t.clients.service ? 'not-applicable' : 'untested');
    return;
  }
  const rt = String(g.body.refresh_token);
  const r1 = await revoke(ctx, g.client, { token: rt, token_type_hint: 'refresh_token' });
  ctx.expect(SUITE, 'TE-I1', r1.response?.status === 200, `revoking a valid refresh token: ${r1.response?.status}`, [r1]);
  const after = await refreshWith(ctx, g.client, rt);
  ctx.expect(SUITE, 'TE-I2', after.response?.status === 400 && json(after)?.error === 'invalid_grant', `refresh with the revoked token: ${after.response?.status} ${String(json(after)?.error)}`, [r1, after]);
  const probe = await ctx.resource(String(g.body.access_token));
  if (probe) ctx.expect(SUITE, 'TE-I8', (probe.response?.status ?? 0) >= 400, `the access token of the revoked grant still works (${probe.response?.status})`, [r1, probe]);

  const r3 = await revoke(ctx, g.client, { token: `unknown-${ctx.seed}` });
  ctx.expect(SUITE, 'TE-I3', r3.response?.status === 200, `revoking an unknown token: ${r3.response?.status}`, [r3]);
  const g2 = (await freshGrant(ctx))!;
  const r4 = await revoke(ctx, g2.client, { token: String(g2.body.refresh_token), token_type_hint: 'access_token' });
  const still = await refreshWith(ctx, g2.client, String(g2.body.refresh_token));
  ctx.expect(SUITE, 'TE-I4', r4.response?.status === 200 && still.response?.status !== 200, `a wrong hint: revocation ${r4.response?.status}, then the refresh token ${still.response?.status === 200 ? 'still works' : 'is gone'}`, [r4, still]);
  const r5 = await revoke(ctx, g.client, {});
  ctx.expect(SUITE, 'TE-I5', r5.response?.status === 400 && json(r5)?.error === 'invalid_request', `revocation without token: ${r5.response?.status} ${String(json(r5)?.error)}`, [r5]);
  if (!g.client.public && g.client.clientSecret) {
    const r6 = await revoke(ctx, { ...g.client, clientSecret: undefined }, { token: String(g.body.access_token) });
    ctx.expect(SUITE, 'TE-I6', (r6.response?.status === 400 || r6.response?.status === 401) && json(r6)?.error === 'invalid_client', `revocation without client authentication: ${r6.response?.status} ${String(json(r6)?.error)}`, [r6]);
  }
  if (t.clients.other) {
    const g3 = (await freshGrant(ctx))!;
    const r7 = await revoke(ctx, t.clients.other, { token: String(g3.body.refresh_token) });
    const owner = await refreshWith(ctx, g3.client, String(g3.body.refresh_token));
    ctx.expect(SUITE, 'TE-I7', owner.response?.status === 200, `after another client's revocation attempt (${r7.response?.status}) the owner's refresh token ${owner.response?.status === 200 ? 'works' : 'is gone'}`, [r7, owner]);
  }
}

/**
 * Keycloak realm exports (`kc.sh export`, the admin console's partial export; the shapes of Keycloak up to 9 and
 * after) as realms of the mock: realm settings (lifespans, refresh token policy, the user session limiter's
 * config), clients (secret, public or confidential, redirect URIs, flows enabled, the PKCE attribute, consent, default
 * client scopes), users (enabled, names, email, realm and client role mappings, groups, credentials: a plain `value`,
 * or the PBKDF2 and argon2 hashes Keycloak writes, verified with node:crypto), groups and role definitions. Every other member with a value is named at start,
 * one line each: nothing is silently ignored. A malformed export is a ConfigError with its JSON path.
 * Sources (keycloak/keycloak): core/src/main/java/org/keycloak/representations/idm/{RealmRepresentation,
 * ClientRepresentation,UserRepresentation,CredentialRepresentation}.java, models/.../credential/PasswordCredentialModel
 * (secretData {value, salt}, credentialData {hashIterations, algorithm}), server-spi-private/.../
 * Pbkdf2Sha256PasswordHashProviderFactory.java (pbkdf2-sha256), UserSessionLimitsAuthenticatorFactory.java (the
 * config keys realmLimit, clientLimit, behavior, errorMessage).
 */
import { readFileSync } from 'node:fs';
import { argon2Available, type Argon2Credential, type Pbkdf2Credential } from '../core/passwords.js';
import { ConfigError } from '../core/config.js';
import type { RealmConfig } from './model.js';
import type { GroupConfig } from './roles.js';

type Json = Record<string, unknown>;

/** Realm members the mock honours, or that change nothing it answers (names, themes, ids, timestamps). */
const REALM_HONOURED = new Set([
  'realm',
  'enabled',
  'sslRequired',
  'accessTokenLifespan',
  'ssoSessionIdleTimeout',
  'ssoSessionMaxLifespan',
  'offlineSessionIdleTimeout',
  'revokeRefreshToken',
  'refreshTokenMaxReuse',
  'accessCodeLifespan',
  'accessCodeLifespanLogin',
  'clients',
  'users',
  'roles',
  'groups',
  'authenticatorConfig',
]);
const REALM_INERT = new Set([
  'id',
  'displayName',
  'displayNameHtml',
  'notBefore',
  'defaultSignatureAlgorithm',
  'loginTheme',
  'accountTheme',
  'adminTheme',
  'emailTheme',
  'internationalizationEnabled',
  'supportedLocales',
  'defaultLocale',
  'attributes',
  'defaultRole',
  'defaultRoles',
  'requiredCredentials',
  'keycloakVersion',
  'userManagedAccessAllowed',
  'browserFlow',
  'registrationFlow',
  'directGrantFlow',
  'resetCredentialsFlow',
  'clientAuthenticationFlow',
  'dockerAuthenticationFlow',
  'firstBrokerLoginFlow',
  'authenticationFlows',
  'requiredActions',
  'scopeMappings',
  'clientScopeMappings',
  'defaultDefaultClientScopes',
  'defaultOptionalClientScopes',
  'clientScopes',
  'components',
  'smtpServer',
  'eventsEnabled',
  'eventsListeners',
  'enabledEventTypes',
  'adminEventsEnabled',
  'adminEventsDetailsEnabled',
  'registrationAllowed',
  'registrationEmailAsUsername',
  'rememberMe',
  'verifyEmail',
  'loginWithEmailAllowed',
  'duplicateEmailsAllowed',
  'resetPasswordAllowed',
  'editUsernameAllowed',
  'browserSecurityHeaders',
  'smtpServer',
  'offlineSessionMaxLifespanEnabled',
  'clientPolicies',
  'clientProfiles',
  'localizationTexts',
]);
const CLIENT_HONOURED = new Set([
  'clientId',
  'enabled',
  'secret',
  'publicClient',
  'bearerOnly',
  'consentRequired',
  'redirectUris',
  'standardFlowEnabled',
  'directAccessGrantsEnabled',
  'serviceAccountsEnabled',
  'implicitFlowEnabled',
  'attributes',
  'defaultClientScopes',
  'protocolMappers',
  'optionalClientScopes',
  'protocol',
  'clientAuthenticatorType',
]);
const CLIENT_INERT = new Set([
  'id',
  'name',
  'description',
  'rootUrl',
  'baseUrl',
  'adminUrl',
  'webOrigins',
  'surrogateAuthRequired',
  'alwaysDisplayInConsole',
  'notBefore',
  'frontchannelLogout',
  'fullScopeAllowed',
  'nodeReRegistrationTimeout',
  'authenticationFlowBindingOverrides',
  'access',
  'origin',
  'defaultRoles',
]);
/** Client attributes the mock honours, and those that change nothing it answers (display, consent-screen text). */
const CLIENT_ATTRIBUTES_HONOURED = new Set([
  'pkce.code.challenge.method',
  'use.refresh.tokens',
  'access.token.lifespan',
]);
const CLIENT_ATTRIBUTES_INERT = new Set([
  'display.on.consent.screen',
  'consent.screen.text',
  'login_theme',
  'client.secret.creation.time',
  'backchannel.logout.session.required',
  'backchannel.logout.revoke.offline.tokens',
]);
const USER_HONOURED = new Set([
  'username',
  'enabled',
  'email',
  'firstName',
  'lastName',
  'credentials',
  'realmRoles',
  'clientRoles',
  'requiredActions',
  'groups',
  'attributes',
  'id',
]);
const USER_INERT = new Set([
  'createdTimestamp',
  'emailVerified',
  'totp',
  'disableableCredentialTypes',
  'notBefore',
  'access',
  'self',
  'origin',
]);

const DIGESTS: Record<string, Pbkdf2Credential['digest']> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};

const hasValue = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** Reads one export file: the realm and the lines saying what it leaves out. */
export function importRealm(
  file: string,
  passwords: Record<string, string> = {},
): { realm: RealmConfig; notes: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON: ${(e as Error).message}`;
    throw new ConfigError(file, [reason]);
  }
  return realmFromExport(doc, file, passwords);
}

/** Readers of an export's members that fail with the member's JSON path (a ConfigError naming the source). */
export function representationReader(source: string) {
  const fail = (path: string, message: string): never => {
    throw new ConfigError(source, [`${path}: ${message}`]);
  };
  const obj = (v: unknown, path: string): Json =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : fail(path, 'must be an object');
  const list = (v: unknown, path: string): unknown[] =>
    v === undefined ? [] : Array.isArray(v) ? v : fail(path, 'must be an array');
  const str = (v: unknown, path: string): string =>
    typeof v === 'string' && v !== '' ? v : fail(path, 'must be a non-empty string');
  const num = (v: unknown, path: string): number | undefined =>
    v === undefined
      ? undefined
      : typeof v === 'number' && Number.isInteger(v) && v >= 0
        ? v
        : fail(path, 'must be a whole number');
  const bool = (v: unknown, path: string): boolean | undefined =>
    v === undefined ? undefined : typeof v === 'boolean' ? v : fail(path, 'must be true or false');
  return { fail, obj, list, str, num, bool };
}
type Reader = ReturnType<typeof representationReader>;

/**
 * A ClientRepresentation (an export's, or the admin REST API's body) as the mock's client: its flows as grants,
 * its secret, redirect URIs, PKCE attribute, consent, bearer-only and default scopes. Undefined for a client of
 * another protocol (SAML), which the mock does not serve.
 */
export function clientFromRepresentation(
  read: Reader,
  client: Json,
  path: string,
  say: (line: string) => void = () => {},
) {
  const { list, str, bool, obj } = read;
  const clientId = str(client.clientId, `${path}/clientId`);
  if (client.protocol !== undefined && client.protocol !== 'openid-connect') return undefined;
  const attributes = client.attributes === undefined ? {} : obj(client.attributes, `${path}/attributes`);
  const isPublic = bool(client.publicClient, `${path}/publicClient`) ?? false;
  const grants = [
    ...((bool(client.standardFlowEnabled, `${path}/standardFlowEnabled`) ?? true) ? ['authorization_code'] : []),
    ...((bool(client.directAccessGrantsEnabled, `${path}/directAccessGrantsEnabled`) ?? false) ? ['password'] : []),
    ...((bool(client.serviceAccountsEnabled, `${path}/serviceAccountsEnabled`) ?? false) && !isPublic
      ? ['client_credentials']
      : []),
  ];
  // Refresh tokens come with the grants that issue them unless "Use refresh tokens" is off.
  if (attributes['use.refresh.tokens'] !== 'false' && grants.some((g) => g !== 'client_credentials'))
    grants.push('refresh_token');
  const pkce = attributes['pkce.code.challenge.method'];
  const lifespan = Number(attributes['access.token.lifespan']);
  const scopes = [...list(client.defaultClientScopes, `${path}/defaultClientScopes`)].filter(
    (x): x is string => typeof x === 'string',
  );
  return {
    clientId,
    ...(!isPublic && typeof client.secret === 'string' && client.secret ? { clientSecret: client.secret } : {}),
    public: isPublic,
    enabled: bool(client.enabled, `${path}/enabled`) ?? true,
    grants,
    scopes,
    redirectUris: list(client.redirectUris, `${path}/redirectUris`).map((u, j) => str(u, `${path}/redirectUris/${j}`)),
    ...(pkce === 'S256' || pkce === 'plain' ? { pkceMethod: pkce as 'S256' | 'plain' } : {}),
    ...(Number.isInteger(lifespan) && lifespan > 0 ? { accessTokenLifespan: lifespan } : {}),
    ...mappersOf(read, client, path, say),
    ...(bool(client.consentRequired, `${path}/consentRequired`) ? { consentRequired: true } : {}),
    ...(bool(client.bearerOnly, `${path}/bearerOnly`) ? { bearerOnly: true } : {}),
  };
}

/** A hardcoded claim's value as its jsonType.label types it (OIDCAttributeMapperHelper.mapAttributeValue). */
function typedClaim(value: string, type: unknown): unknown {
  if (type === 'long' || type === 'int') return Number.isFinite(Number(value)) ? Number(value) : value;
  if (type === 'boolean') return value === 'true';
  if (type === 'JSON') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * The client's protocol mappers the mock honours: hardcoded claims, audiences and user attributes into the access
 * token (oidc-hardcoded-claim-mapper, oidc-audience-mapper, oidc-usermodel-attribute-mapper; their config keys
 * claim.name, claim.value, jsonType.label, included.client.audience, included.custom.audience, user.attribute,
 * multivalued, access.token.claim: keycloak/keycloak services/.../protocol/oidc/mappers/). Others are said.
 */
function mappersOf(read: Reader, client: Json, path: string, say: (line: string) => void) {
  const claims: Record<string, unknown> = {};
  const audience: string[] = [];
  const attributeClaims: { attribute: string; claim: string; multivalued: boolean }[] = [];
  read.list(client.protocolMappers, `${path}/protocolMappers`).forEach((m, i) => {
    const mapper = read.obj(m, `${path}/protocolMappers/${i}`);
    const config = (mapper.config ?? {}) as Record<string, unknown>;
    const kind = String(mapper.protocolMapper ?? '');
    if (config['access.token.claim'] === 'false') return;
    if (kind === 'oidc-hardcoded-claim-mapper' && typeof config['claim.name'] === 'string')
      claims[config['claim.name']] = typedClaim(String(config['claim.value'] ?? ''), config['jsonType.label']);
    else if (kind === 'oidc-audience-mapper') {
      const aud = config['included.client.audience'] || config['included.custom.audience'];
      if (typeof aud === 'string' && aud) audience.push(aud);
    } else if (
      kind === 'oidc-usermodel-attribute-mapper' &&
      typeof config['user.attribute'] === 'string' &&
      typeof config['claim.name'] === 'string'
    )
      attributeClaims.push({
        attribute: config['user.attribute'],
        claim: config['claim.name'],
        multivalued: config.multivalued === 'true',
      });
    else say(`protocol mapper ${String(mapper.name ?? i)} (${kind || 'no type'}) is not honoured by the mock`);
  });
  return {
    ...(Object.keys(claims).length ? { claims } : {}),
    ...(audience.length ? { audience } : {}),
    ...(attributeClaims.length ? { attributeClaims } : {}),
  };
}

export function realmFromExport(
  doc: unknown,
  source: string,
  /** keycloak.importPasswords: "<realm>/<username>" -> the password, over the export's credential. */
  passwords: Record<string, string> = {},
): { realm: RealmConfig; notes: string[] } {
  const read = representationReader(source);
  const { fail, obj, list, str, num, bool } = read;

  const r = obj(doc, '/');
  const name = str(r.realm, '/realm');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) fail('/realm', 'a realm name the mock serves is letters, digits, ".", "_", "-"');
  const notes: string[] = [];
  const unused = (where: string, o: Json, honoured: Set<string>, inert: Set<string>) => {
    for (const [k, v] of Object.entries(o))
      if (!honoured.has(k) && !inert.has(k) && hasValue(v))
        notes.push(`realm import ${name}: ${where}${k} is not honoured by the mock`);
  };
  unused('', r, REALM_HONOURED, REALM_INERT);

  const clients = list(r.clients, '/clients').map((c, i) => {
    const path = `/clients/${i}`;
    const client = obj(c, path);
    const clientId = str(client.clientId, `${path}/clientId`);
    unused(`client ${clientId}: `, client, CLIENT_HONOURED, CLIENT_INERT);
    if (client.attributes !== undefined)
      unused(
        `client ${clientId}: attribute `,
        obj(client.attributes, `${path}/attributes`),
        CLIENT_ATTRIBUTES_HONOURED,
        CLIENT_ATTRIBUTES_INERT,
      );
    const converted = clientFromRepresentation(read, client, path, (line) =>
      notes.push(`realm import ${name}: client ${clientId}: ${line}`),
    );
    if (!converted)
      notes.push(
        `realm import ${name}: client ${clientId} speaks ${String(client.protocol)}, not openid-connect: left out`,
      );
    return converted;
  });

  const users = list(r.users, '/users').map((u, i) => {
    const path = `/users/${i}`;
    const user = obj(u, path);
    const username = str(user.username, `${path}/username`);
    unused(`user ${username}: `, user, USER_HONOURED, USER_INERT);
    const password = list(user.credentials, `${path}/credentials`)
      .map((c, j) => obj(c, `${path}/credentials/${j}`))
      .find((c) => c.type === 'password');
    const override = passwords[`${name}/${username}`];
    const credential: Credential | undefined =
      override !== undefined
        ? { password: override }
        : password
          ? credentialOf(password, `${path}/credentials`, fail)
          : undefined;
    if (credential && 'argon2' in credential && !argon2Available)
      notes.push(
        `realm import ${name}: user ${username}'s password is an argon2 hash, which this Node cannot check (Node >= 24.7 can): it cannot log in (give its password in keycloak.importPasswords)`,
      );
    if (!credential)
      notes.push(`realm import ${name}: user ${username} has no password the mock can check: it cannot log in`);
    else if ('unsupported' in credential)
      notes.push(
        `realm import ${name}: user ${username}'s password hash (${credential.unsupported}) cannot be checked here: it cannot log in (give its password in keycloak.importPasswords)`,
      );
    const clientRoles = user.clientRoles === undefined ? undefined : obj(user.clientRoles, `${path}/clientRoles`);
    return {
      username,
      enabled: bool(user.enabled, `${path}/enabled`) ?? true,
      ...(typeof user.id === 'string' ? { id: user.id } : {}),
      ...(typeof user.email === 'string' ? { email: user.email } : {}),
      ...(typeof user.firstName === 'string' ? { firstName: user.firstName } : {}),
      ...(typeof user.lastName === 'string' ? { lastName: user.lastName } : {}),
      ...(credential && 'password' in credential ? { password: credential.password } : {}),
      ...(credential && 'pbkdf2' in credential ? { passwordPbkdf2: credential.pbkdf2 } : {}),
      ...(credential && 'argon2' in credential ? { passwordArgon2: credential.argon2 } : {}),
      realmRoles: list(user.realmRoles, `${path}/realmRoles`).map((x, j) => str(x, `${path}/realmRoles/${j}`)),
      ...(clientRoles
        ? {
            clientRoles: Object.fromEntries(
              Object.entries(clientRoles).map(([c, roles]) => [c, list(roles, `${path}/clientRoles/${c}`).map(String)]),
            ),
          }
        : {}),
      ...(hasValue(user.attributes)
        ? {
            attributes: Object.fromEntries(
              Object.entries(obj(user.attributes, `${path}/attributes`)).map(([k, v]) => [
                k,
                (Array.isArray(v) ? v : [v]).map(String),
              ]),
            ),
          }
        : {}),
      ...(hasValue(user.groups)
        ? { groups: list(user.groups, `${path}/groups`).map((x, j) => str(x, `${path}/groups/${j}`)) }
        : {}),
      ...(hasValue(user.requiredActions)
        ? { requiredActions: list(user.requiredActions, `${path}/requiredActions`).map(String) }
        : {}),
    };
  });

  // Groups (a tree of GroupRepresentation): names, role mappings, subgroups; attributes reach no token by default.
  const groupOf = (g: unknown, path: string): GroupConfig => {
    const group = obj(g, path);
    const groupName = str(group.name, `${path}/name`);
    if (hasValue(group.attributes))
      notes.push(`realm import ${name}: group ${groupName}: attributes are not honoured by the mock`);
    const clientRoles = group.clientRoles === undefined ? {} : obj(group.clientRoles, `${path}/clientRoles`);
    return {
      name: groupName,
      realmRoles: list(group.realmRoles, `${path}/realmRoles`).map((x, j) => str(x, `${path}/realmRoles/${j}`)),
      clientRoles: Object.fromEntries(
        Object.entries(clientRoles).map(([c, roles]) => [c, list(roles, `${path}/clientRoles/${c}`).map(String)]),
      ),
      subGroups: list(group.subGroups, `${path}/subGroups`).map((x, j) => groupOf(x, `${path}/subGroups/${j}`)),
    };
  };
  const groups = list(r.groups, '/groups').map((g, i) => groupOf(g, `/groups/${i}`));
  // Role definitions (RolesRepresentation): names; a composite's composites are not expanded, said unless built in.
  const rolesDoc = r.roles === undefined ? {} : obj(r.roles, '/roles');
  const composites: Record<string, { realm: string[]; client: Record<string, string[]> }> = {};
  const roleNames = (v: unknown, path: string, expands: boolean) =>
    list(v, path).map((x, j) => {
      const role = obj(x, `${path}/${j}`);
      const roleName = str(role.name, `${path}/${j}/name`);
      // RoleRepresentation.composites {realm: [names], client: {clientId: [names]}}: expanded in the tokens.
      if (!expands && role.composite === true)
        notes.push(
          `realm import ${name}: client role ${roleName} is composite: its composites are not expanded by the mock`,
        );
      if (expands && role.composite === true && role.composites !== undefined) {
        const c = obj(role.composites, `${path}/${j}/composites`);
        const client = c.client === undefined ? {} : obj(c.client, `${path}/${j}/composites/client`);
        composites[roleName] = {
          realm: list(c.realm, `${path}/${j}/composites/realm`).map(String),
          client: Object.fromEntries(
            Object.entries(client).map(([k, v]) => [k, list(v, `${path}/${j}/composites/client/${k}`).map(String)]),
          ),
        };
      }
      return roleName;
    });
  const clientRoleDefs = rolesDoc.client === undefined ? {} : obj(rolesDoc.client, '/roles/client');
  const roles = {
    realm: roleNames(rolesDoc.realm, '/roles/realm', true),
    client: Object.fromEntries(
      Object.entries(clientRoleDefs).map(([c, list]) => [c, roleNames(list, `/roles/client/${c}`, false)]),
    ),
    ...(Object.keys(composites).length ? { composites } : {}),
  };

  // The User Session Count Limiter's config (the authenticatorConfig with its keys), bound to the flows whose
  // executions use it, directly or through subflows: the realm's browser and direct-grant flows, or a client's flow
  // override (authenticationFlowBindingOverrides, by flow id). AuthenticationFlowRepresentation: alias, id,
  // authenticationExecutions [{authenticator, authenticatorConfig (the config's alias), flowAlias}].
  const configs = list(r.authenticatorConfig, '/authenticatorConfig').map((c, i) =>
    obj(c, `/authenticatorConfig/${i}`),
  );
  const limiterEntry = configs.find((c) => {
    const config = c.config === undefined ? {} : obj(c.config, '/authenticatorConfig/config');
    return config.realmLimit !== undefined || config.clientLimit !== undefined;
  });
  const limiter = limiterEntry
    ? limiterEntry.config === undefined
      ? {}
      : obj(limiterEntry.config, '/authenticatorConfig/config')
    : undefined;
  const flowDocs = list(r.authenticationFlows, '/authenticationFlows').map((f, i) =>
    obj(f, `/authenticationFlows/${i}`),
  );
  const usesLimiter = (alias: unknown, seen = new Set<unknown>()): boolean => {
    if (seen.has(alias)) return false;
    seen.add(alias);
    const flow = flowDocs.find((f) => f.alias === alias);
    return list(flow?.authenticationExecutions, '/authenticationFlows/authenticationExecutions').some((e) => {
      const ex = e as Json;
      return (
        (ex.authenticatorConfig !== undefined && ex.authenticatorConfig === limiterEntry?.alias) ||
        (ex.flowAlias !== undefined && usesLimiter(ex.flowAlias, seen))
      );
    });
  };
  const boundFlows: ('browser' | 'direct-grant')[] = [];
  let overrideClients: string[] | undefined;
  if (limiter && flowDocs.length) {
    if (usesLimiter(r.browserFlow ?? 'browser')) boundFlows.push('browser');
    if (usesLimiter(r.directGrantFlow ?? 'direct grant')) boundFlows.push('direct-grant');
    if (!boundFlows.length) {
      const limitedIds = new Set(flowDocs.filter((f) => usesLimiter(f.alias)).map((f) => f.id));
      // Clients whose direct-grant or browser flow is overridden with a flow that uses it (per-client bindings).
      const overrides = list(r.clients, '/clients').map((c) => c as Json);
      const boundBy = (binding: 'direct_grant' | 'browser') =>
        overrides
          .filter((c) => limitedIds.has(((c.authenticationFlowBindingOverrides ?? {}) as Json)[binding]))
          .map((c) => String(c.clientId));
      const direct = boundBy('direct_grant');
      const browser = boundBy('browser');
      overrideClients = [...new Set([...direct, ...browser])];
      if (direct.length) boundFlows.push('direct-grant');
      if (browser.length) boundFlows.push('browser');
      if (
        direct.length &&
        browser.length &&
        (direct.length !== browser.length || direct.some((c) => !browser.includes(c)))
      )
        notes.push(
          `realm import ${name}: the session limiter is bound per client in different flows: the mock applies it to both flows of ${overrideClients.join(', ')}`,
        );
      if (!overrideClients.length)
        notes.push(`realm import ${name}: the session limiter's config is used by no flow: no limit applies`);
    }
  } else if (limiter)
    notes.push(
      `realm import ${name}: no authenticationFlows in the export: the session limiter applies to every login`,
    );
  const limit = (v: unknown) => (v !== undefined && Number(v) > 0 ? Number(v) : undefined);
  const sessionLimit =
    limiter && (!flowDocs.length || boundFlows.length)
      ? {
          ...(limit(limiter.realmLimit) ? { realmLimit: limit(limiter.realmLimit)! } : {}),
          ...(limit(limiter.clientLimit) ? { clientLimit: limit(limiter.clientLimit)! } : {}),
          behavior: String(limiter.behavior ?? '')
            .toLowerCase()
            .includes('terminate')
            ? ('terminate-oldest' as const)
            : ('deny' as const),
          ...(typeof limiter.errorMessage === 'string' && limiter.errorMessage
            ? { errorMessage: limiter.errorMessage }
            : {}),
          ...(flowDocs.length ? { flows: boundFlows } : {}),
          ...(overrideClients ? { clients: overrideClients } : {}),
        }
      : undefined;
  const setting = (k: string) => num(r[k], `/${k}`);
  const realm: RealmConfig = {
    name,
    ...(bool(r.enabled, '/enabled') !== undefined ? { enabled: r.enabled as boolean } : {}),
    ...(['none', 'external', 'all'].includes(String(r.sslRequired)) ? { sslRequired: r.sslRequired as 'none' } : {}),
    ...Object.fromEntries(
      [
        'accessTokenLifespan',
        'ssoSessionIdleTimeout',
        'ssoSessionMaxLifespan',
        'offlineSessionIdleTimeout',
        'accessCodeLifespan',
        'accessCodeLifespanLogin',
        'refreshTokenMaxReuse',
      ]
        .map((k) => [k, setting(k)])
        .filter(([, v]) => v !== undefined),
    ),
    ...(bool(r.revokeRefreshToken, '/revokeRefreshToken') !== undefined
      ? { revokeRefreshToken: r.revokeRefreshToken as boolean }
      : {}),
    ...(sessionLimit && (sessionLimit.realmLimit || sessionLimit.clientLimit) ? { sessionLimit } : {}),
    clients: clients.filter((c): c is NonNullable<typeof c> => c !== undefined),
    users,
    ...(groups.length ? { groups } : {}),
    ...(roles.realm.length || Object.keys(roles.client).length ? { roles } : {}),
  };
  return { realm, notes };
}

type Credential =
  | { password: string }
  | { pbkdf2: Pbkdf2Credential }
  | { argon2: Argon2Credential }
  | { unsupported: string };

/** A password credential as an export writes it: a plain value, Keycloak <= 9's hashedSaltedValue, or secretData/credentialData. */
function credentialOf(c: Json, path: string, fail: (p: string, m: string) => never): Credential | undefined {
  if (typeof c.value === 'string' && c.value) return { password: c.value };
  const parse = (v: unknown, at: string): Json => {
    if (typeof v !== 'string') return fail(at, 'must be a JSON string');
    try {
      return JSON.parse(v) as Json;
    } catch {
      return fail(at, 'must hold JSON');
    }
  };
  const secret =
    c.secretData !== undefined
      ? parse(c.secretData, `${path}/secretData`)
      : { value: c.hashedSaltedValue, salt: c.salt };
  const data =
    c.credentialData !== undefined
      ? parse(c.credentialData, `${path}/credentialData`)
      : { hashIterations: c.hashIterations, algorithm: c.algorithm };
  if (typeof secret.value !== 'string' || typeof secret.salt !== 'string') return undefined;
  const algorithm = String(data.algorithm ?? 'pbkdf2-sha256');
  // Keycloak 24+'s default (crypto/default .../Argon2PasswordHashProvider.java): its parameters are lists of strings
  // in credentialData.additionalParameters; hashIterations are its passes; version 1.3 is the one node:crypto has.
  if (algorithm === 'argon2') {
    const p = (data.additionalParameters ?? {}) as Record<string, unknown>;
    const first = (k: string, fallback: string) => String((Array.isArray(p[k]) ? p[k][0] : p[k]) ?? fallback);
    const variant = { id: 'argon2id', i: 'argon2i', d: 'argon2d' }[first('type', 'id')] as Argon2Credential['variant'];
    const numbers = [
      Number(data.hashIterations ?? 5),
      Number(first('memory', '7168')),
      Number(first('parallelism', '1')),
    ];
    if (first('version', '1.3') !== '1.3' || !variant || !numbers.every((n) => Number.isInteger(n) && n > 0))
      return { unsupported: `argon2 ${first('type', 'id')} version ${first('version', '1.3')}` };
    const [iterations, memory, parallelism] = numbers as [number, number, number];
    return { argon2: { variant, iterations, memory, parallelism, salt: secret.salt, value: secret.value } };
  }
  const digest = DIGESTS[algorithm];
  if (!digest) return { unsupported: algorithm };
  const iterations = Number(data.hashIterations ?? 27500);
  if (!Number.isInteger(iterations) || iterations < 1)
    return fail(`${path}/credentialData`, 'hashIterations must be a whole number');
  return { pbkdf2: { digest, iterations, salt: secret.salt, value: secret.value } };
}

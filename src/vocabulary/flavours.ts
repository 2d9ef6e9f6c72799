/**
 * The built-in flavours: one line each, the only place they are listed. Everything else is derived from it: the
 * FlavourName type (src/vocabulary/types.ts), the runner's descriptors (src/flavours/index.ts loads
 * src/flavours/<name>.ts), the lazy mock loaders (mocks/flavours.ts loads mocks/<name>/index.ts when `mock` is true)
 * and the flavour sections of the mock-config schema (npm run gen:types $refs schemas/<name>/mock-config.schema.json).
 * Adding a flavour: docs/architecture.md, "Adding a flavour".
 */
export const BUILT_IN_FLAVOURS = {
  rfc6749: { mock: false },
  portal: { mock: true },
  keycloak: { mock: true },
  rator: { mock: true },
  infolink: { mock: true },
} as const satisfies Record<string, { mock: boolean }>;

export type BuiltInFlavourName = keyof typeof BUILT_IN_FLAVOURS;

export const BUILT_IN_FLAVOUR_NAMES = Object.keys(BUILT_IN_FLAVOURS) as BuiltInFlavourName[];

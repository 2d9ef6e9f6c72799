export { validate, registry, SchemaRegistry, type SchemaError, type SchemaValidation } from './schemas/registry.js';
export { validateCapture, kindsOf, type CaptureInput, type CaptureReport } from './validate/capture.js';
export type { Finding } from './validate/findings.js';
export { parseHttpResponse, header, type CapturedResponse } from './http/capture.js';
export {
  FLAVOURS,
  FLAVOUR_NAMES,
  type FlavourDescriptor,
  type FlavourName,
  type FlavourNames,
} from './flavours/index.js';
export { registerFlavour, loadFlavourModules, type FlavourModule } from './cli/flavour-modules.js';
export { ALL_CHECKS, checkDef, type CheckId } from './checks/registry.js';
export type { CheckDef, Profile, Severity } from './checks/define.js';
export { severityOf } from './verdict/index.js';
export type * from './generated/schemas.js';

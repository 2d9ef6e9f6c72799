export { validate, registry, SchemaRegistry, type SchemaError, type SchemaValidation } from './schemas/registry.js';
export { validateCapture, kindsOf, type CaptureInput, type CaptureReport } from './validate/capture.js';
export type { Finding } from './validate/findings.js';
export { parseHttpResponse, header, type CapturedResponse } from './http/capture.js';
export { FLAVOURS, FLAVOUR_NAMES, type FlavourDescriptor, type FlavourName } from './flavours/index.js';
export { CHECKS, severityOf, type CheckSpec, type Profile, type Severity } from './checks/catalog.js';
export type * from './generated/schemas.js';

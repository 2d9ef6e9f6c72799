import type { Profile } from '../checks/define.js';
import { FLAVOUR_NAMES, isFlavourName, type FlavourName } from '../flavours/index.js';
import { looksLikeHttpResponse, parseHttpResponse, CaptureParseError } from '../http/capture.js';
import { registry } from '../schemas/registry.js';
import { kindsOf, validateCapture, type CaptureReport } from '../validate/capture.js';
import { looksLikeJwt } from '../util/jwt.js';
import { UsageError } from './errors.js';
import { readInput } from './input.js';

/** Short names people type for the two kinds every flavour has. */
export const KIND_ALIASES: Record<string, string> = { token: 'token-response', error: 'token-error' };

export interface ValidateArgs {
  flavour: string;
  kind: string;
  file: string;
  profile: Profile;
  strict: boolean;
}

export function resolveKind(flavour: FlavourName, kind: string): string {
  const resolved = KIND_ALIASES[kind] ?? kind;
  if (!kindsOf(flavour).includes(resolved)) {
    throw new UsageError(`flavour ${flavour} has no kind "${kind}"; kinds: ${kindsOf(flavour).join(', ')}`);
  }
  return resolved;
}

export function runValidate(args: ValidateArgs): CaptureReport {
  if (!isFlavourName(args.flavour))
    throw new UsageError(`unknown flavour "${args.flavour}"; flavours: ${FLAVOUR_NAMES.join(', ')}`);
  const flavour = args.flavour;
  const kind = resolveKind(flavour, args.kind);
  const text = readInput(args.file);
  const source = args.file === '-' ? 'standard input' : args.file;
  if (looksLikeHttpResponse(text)) {
    try {
      return validateCapture({
        flavour,
        kind,
        response: parseHttpResponse(text),
        profile: args.profile,
        strict: args.strict,
      });
    } catch (e) {
      if (e instanceof CaptureParseError) throw new UsageError(`${source}: ${e.message}`);
      throw e;
    }
  }
  // A bare body must at least be JSON (or a JWT for claim kinds, or text where the flavour answers in text).
  const textBody = registry().entry(flavour, kind)?.schema['x-idpc-text-body'] === true;
  if (!textBody && !(kind.endsWith('-claims') && looksLikeJwt(text.trim()))) {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new UsageError(
        `${source} is not JSON (${(e as Error).message}); give a JSON body or a whole HTTP response`,
      );
    }
  }
  return validateCapture({ flavour, kind, body: text, profile: args.profile, strict: args.strict });
}

export function formatReport(report: CaptureReport, source: string): string {
  const counts = (['error', 'warning', 'info'] as const)
    .map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  const lines = [
    `${report.valid ? 'VALID' : 'INVALID'}  ${report.flavour} ${report.kind}  ${source}  (profile ${report.profile}${counts.length ? `; ${counts.join(', ')}` : ''})`,
  ];
  for (const f of report.findings) {
    const where = f.path === '' ? '(body)' : f.path;
    lines.push(`  ${f.severity.padEnd(7)} ${f.rule.padEnd(7)} ${where}: ${f.message}  [${f.requirement}]`);
    if (f.deviation) lines.push(`          documented deviation: ${f.deviation.reason} (${f.deviation.source})`);
  }
  return lines.join('\n');
}

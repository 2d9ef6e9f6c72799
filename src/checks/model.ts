/** Project checks: the stateful model, the flavour's documented errors, and the availability of the target during a run. */
import { FAILURE_CAUSES, type Exchange, type ExpectedError, type FailureCause } from '../vocabulary/types.js';
import { defineCheck, errorCode, jsonObject, outcome } from './define.js';

/** What one stateful command saw against what the model predicted (a token that should work, or should not). */
export interface ModelObservation {
  /** The command, in the model's words: "refresh with a valid refresh token", "the access token at the resource". */
  what: string;
  expectedToWork: boolean;
  worked: boolean;
  /** The answer's status, or the transport error. */
  answer: string;
  /** Where it was used, said after the outcome ("at the resource"). */
  where?: string;
  /** The check whose rule the disagreement breaks, when one names it better (TE-H2, TE-H3). */
  rule?: string;
}

export const modelAgrees = defineCheck({
  id: 'TE-S1',
  title: 'Stateful model: the target agrees with the model on which tokens work',
  level: 'PROJECT',
  requirement: 'RFC 6749 §6, RFC 9700 §4.14.2, the declared policies',
  url: 'https://www.rfc-editor.org/rfc/rfc6749#section-6',
  judge: (o: ModelObservation) =>
    outcome(
      o.worked === o.expectedToWork,
      `${o.rule ? `${o.rule}: ` : ''}${o.what} ${o.worked ? 'worked' : `was refused (${o.answer})`}${o.where ? ` ${o.where}` : ''}; the model expected ${o.expectedToWork ? 'it to work' : 'refusal'}`,
    ),
});

export const flavourErrors = defineCheck({
  id: 'TE-FL',
  title: "Each failure cause gets the flavour's documented error",
  level: 'PROJECT',
  requirement: 'the flavour reference (docs/flavours)',
  url: 'https://idp-conformance.dev/flavours',
  variants: FAILURE_CAUSES,
  /** The status, the error code and the error_description (exact, or a prefix when the documented one ends in "..."). */
  judge: (cause: FailureCause, expected: ExpectedError, e: Exchange) => {
    const body = jsonObject(e);
    const code = errorCode(body);
    const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
    const descriptionOk =
      expected.description === undefined ||
      (expected.description.endsWith('...')
        ? (description ?? '').startsWith(expected.description.slice(0, -3))
        : description === expected.description);
    const status = e.response?.status;
    return outcome(
      status === expected.status && code === expected.error && descriptionOk,
      `${cause}: got ${status} ${code ?? '-'} ${JSON.stringify(description ?? null)}, the flavour documents ${expected.status} ${expected.error}${expected.description ? ` "${expected.description}"` : ''}`,
    );
  },
});

/** Series N. Judged on every request: one slow answer is a finding, and the run goes on. */
export const answeredInTime = defineCheck({
  id: 'TE-N1',
  title: 'Each request is answered within the configured timeout',
  level: 'SHOULD',
  requirement: 'derived (a client times out too)',
  url: 'https://idp-conformance.dev/checks#TE-N1',
  judge: (e: Exchange, timeoutMs: number) =>
    outcome(!e.timedOut, `no answer within ${timeoutMs} ms: ${e.request.method} ${e.request.url}`),
});

/** Series N. Judged on every request: a body beyond the limit is read no further, and is a finding. */
export const boundedAnswer = defineCheck({
  id: 'TE-N3',
  title: 'Each answer body fits the response size limit (default 1 MiB, --max-body)',
  level: 'SHOULD',
  requirement: 'derived (a client reads a bounded body too)',
  url: 'https://idp-conformance.dev/checks#TE-N3',
  judge: (e: Exchange) =>
    outcome(
      e.bodyExceeded === undefined,
      `the answer body exceeded ${e.bodyExceeded} bytes; the read stopped there: ${e.request.method} ${e.request.url}`,
    ),
});

/** Project checks: the stateful model, the flavour's documented errors, and the availability of the target during a run. */
import { defineCheck } from './define.js';

export const modelAgrees = defineCheck({
  id: 'TE-S1',
  title: 'Stateful model: the target agrees with the model on which tokens work',
  level: 'PROJECT',
  requirement: 'RFC 6749 §6, RFC 9700 §4.14.2, the declared policies',
  url: 'https://www.rfc-editor.org/rfc/rfc6749#section-6',
});

export const flavourErrors = defineCheck({
  id: 'TE-FL',
  title: "Each failure cause gets the flavour's documented error",
  level: 'PROJECT',
  requirement: 'the flavour reference (docs/flavours)',
  url: 'https://idp-conformance.dev/flavours',
  variants: [
    'missing-grant-type',
    'unknown-grant-type',
    'bad-password',
    'unknown-user',
    'bad-client-secret',
    'unknown-client',
    'missing-refresh-token',
    'bad-refresh-token',
  ],
});

/** Series N. Judged on every request: one slow answer is a finding, and the run goes on. */
export const answeredInTime = defineCheck({
  id: 'TE-N1',
  title: 'Each request is answered within the configured timeout',
  level: 'SHOULD',
  requirement: 'derived (a client times out too)',
  url: 'https://idp-conformance.dev/checks#TE-N1',
});

/** Series N. Judged on every request: a body beyond the limit is read no further, and is a finding. */
export const boundedAnswer = defineCheck({
  id: 'TE-N3',
  title: 'Each answer body fits the response size limit (default 1 MiB, --max-body)',
  level: 'SHOULD',
  requirement: 'derived (a client reads a bounded body too)',
  url: 'https://idp-conformance.dev/checks#TE-N3',
});

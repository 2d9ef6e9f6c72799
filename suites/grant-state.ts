/** What the grant suite's scenarios share during one run (suites/grant.ts), and the JWT scenario reads (suites/jwt.ts). */
import type { Exchange } from '../src/vocabulary/types.js';

export interface GrantState {
  tokens: string[];
  /** The answer that issued each token (evidence for TE-C15). */
  issuedBy: Map<string, Exchange>;
  /** Methods and grants the endpoint was seen to accept (compared with discovery, TE-K). */
  acceptedAuth: Set<string>;
  grantsUsed: Set<string>;
  refreshIssued: boolean;
  wrongPassword?: Exchange;
  /** The discovery document, once fetched (its issuer and jwks_uri serve the JWT checks). */
  discovery?: Record<string, unknown>;
}

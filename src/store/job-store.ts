import type { SourceImage } from '../render/placeholder.js';
import type { Currency } from '../domain/billing.js';

export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export type JobOutcome =
  // What was charged follows from the job's price and n in this currency (Ledger.amountIn).
  | { readonly status: 'completed'; readonly currency: Currency }
  | { status: 'failed'; errorMessage: string };

/**
 * A job keeps what decides its images, never the PNG bytes: polls re-render
 * through the byte-bounded cache, so a retained job costs the same whatever
 * its `size` and `n` (edits keep a bounded thumbnail of their source).
 */
export interface Job {
  id: string;
  /** The key that submitted the job (usage rows name it). */
  keyId: string;
  /** Who owns it: any key of this account may poll it. */
  accountId: string;
  providerAddress: string;
  model: string;
  prompt: string;
  n: number;
  width: number;
  height: number;
  responseFormat: 'b64_json' | 'url';
  verifyTee: boolean;
  source: SourceImage | undefined;
  priceNeuron: bigint;
  createdMs: number;
  // Offsets from createdMs, not clock times: small integers are stored inline,
  // while every clock-sized number is a separate 16-byte heap object.
  processingAfterMs: number;
  doneAfterMs: number;
  polls: number;
  // Optional fields are always present (maybe undefined) so every job has one
  // in-object shape; fields added later spill into a separate property array.
  outcome: JobOutcome | undefined;
  /** Job faults: fail at completion with this message; Retry-After override (null: none). */
  failWith: string | undefined;
  retryAfterS: number | null | undefined;
}

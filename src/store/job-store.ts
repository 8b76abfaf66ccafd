import type { SourceImage } from '../render/placeholder.js';
import type { Billing } from '../schemas/common.js';

export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export type JobOutcome =
  | { status: 'completed'; billing: Billing; resKey?: string }
  | { status: 'failed'; errorMessage: string };

/**
 * A job keeps what decides its images, never the PNG bytes: polls re-render
 * through the byte-bounded cache, so a retained job costs the same whatever
 * its `size` and `n` (edits keep a bounded thumbnail of their source).
 */
export interface Job {
  id: string;
  keyId: string;
  /** `async-<first 8 chars of the provider address>-<jobId>` (contract §0.35). */
  traceRequestId: string;
  submitRequestId: string;
  providerAddress: string;
  model: string;
  prompt: string;
  n: number;
  width: number;
  height: number;
  responseFormat: 'b64_json' | 'url';
  verifyTee: boolean;
  source?: SourceImage;
  priceNeuron: bigint;
  createdMs: number;
  processingAtMs: number;
  doneAtMs: number;
  polls: number;
  outcome?: JobOutcome;
  /** Job faults: fail at completion with this message; Retry-After override (null: none). */
  failWith?: string;
  retryAfterS?: number | null;
}

/** Storage behind the job service: in memory here; a shared store could back replicas later. */
export interface JobStore {
  get(id: string): Job | undefined;
  put(job: Job): void;
  delete(id: string): void;
  values(): IterableIterator<Job>;
  readonly size: number;
}

export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Job>();

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  put(job: Job): void {
    this.#jobs.set(job.id, job);
  }

  delete(id: string): void {
    this.#jobs.delete(id);
  }

  values(): IterableIterator<Job> {
    return this.#jobs.values();
  }

  get size(): number {
    return this.#jobs.size;
  }
}

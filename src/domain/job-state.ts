import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { Job, JobStatus } from '../store/job-store.js';

/**
 * A job's state is a function of the clock: pending until `processingAtMs`,
 * processing until `doneAtMs`, then whatever its settlement decided. Nothing
 * needs a timer to be right on a read; the timer only makes settlement (and
 * billing) happen at completion even when nobody polls.
 */
export function statusAt(job: Job, nowMs: number): JobStatus {
  if (job.outcome) return job.outcome.status;
  return nowMs >= processingAtMs(job) ? 'processing' : 'pending';
}

export const processingAtMs = (job: Job): number => job.createdMs + job.processingAfterMs;
export const doneAtMs = (job: Job): number => job.createdMs + job.doneAfterMs;

export function updatedAtMs(job: Job, nowMs: number): number {
  const status = statusAt(job, nowMs);
  if (status === 'pending') return job.createdMs;
  if (status === 'processing') return processingAtMs(job);
  return doneAtMs(job);
}

/** How many of `jobs` are in each state at `nowMs`. */
export function countByStatus(jobs: Iterable<Job>, nowMs: number): Record<JobStatus, number> {
  const counts = { pending: 0, processing: 0, completed: 0, failed: 0 };
  for (const job of jobs) counts[statusAt(job, nowMs)]++;
  return counts;
}

export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed';
}

/**
 * The word shown for a started job. `mixed` varies per poll but is a pure
 * function of (job, poll number), so a failing contract test replays the same.
 */
export function inProgressWord(mode: Config['inProgressStatus'], jobId: string, pollNumber: number): 'processing' | 'running' {
  if (mode !== 'mixed') return mode;
  return createHash('sha256').update(`${jobId}:${pollNumber}`).digest()[0]! & 1 ? 'running' : 'processing';
}

/** `async-<first 8 chars of the provider address>-<jobId>` (contract §0.35): derived, not stored. */
export function traceRequestIdOf(job: Pick<Job, 'providerAddress' | 'id'>): string {
  return `async-${job.providerAddress.slice(0, 8)}-${job.id}`;
}

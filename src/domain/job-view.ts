import type { Config } from '../config.js';
import { b64Json } from '../lib/image-json.js';
import { isoMs, type Clock } from '../lib/clock.js';
import type { MockProvider } from '../providers/mock-provider.js';
import type { JobStatusBody } from '../schemas/jobs.js';
import type { ImageLinks } from '../store/image-links.js';
import type { Job } from '../store/job-store.js';
import type { Billing } from '../schemas/common.js';
import type { Currency } from './billing.js';
import { doneAtMs, inProgressWord, isTerminal, statusAt, traceRequestIdOf, updatedAtMs } from './job-state.js';

export interface JobViewDeps {
  clock: Clock;
  config: Pick<Config, 'inProgressStatus'>;
  provider(address: string): MockProvider;
  imageLinks: Pick<ImageLinks, 'jobLinkId'>;
  jobs: { retryAfterS(job: Job): number | undefined; billing(job: Job, currency: Currency): Billing; countPoll(job: Job): Promise<Job> };
}

export interface JobView {
  body: JobStatusBody;
  headers: Record<string, string>;
}

export function jobImageUrls(baseUrl: string, linkId: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${baseUrl}/v1/proxy/images/${linkId}/${i}`);
}

/** The poll answer: the provider's job shape plus the Router's trace once completed (contract §4.3). */
export async function viewJob(deps: JobViewDeps, polled: Job, baseUrl: string, verifyTee = false): Promise<JobView> {
  const nowMs = deps.clock.nowMs();
  const status = statusAt(polled, nowMs);
  // Counted in the store (the console shows it). Only the `mixed` in-progress word needs the stored
  // count before answering; otherwise the count is written while the answer goes out.
  const counting = deps.jobs.countPoll(polled);
  let job: Job;
  if (status === 'processing' && deps.config.inProgressStatus === 'mixed') job = await counting;
  else {
    counting.catch(() => undefined);
    // The caller's own copy (the store hands out copies): counted in place, not copied again.
    job = polled;
    job.polls++;
  }
  const body: JobStatusBody = {
    jobId: job.id,
    status: status === 'processing' ? inProgressWord(deps.config.inProgressStatus, job.id, job.polls) : status,
    createdAt: isoMs(job.createdMs),
    updatedAt: isoMs(updatedAtMs(job, nowMs)),
  };
  // The provider that owns the job serves every poll of it (contract §18.10).
  const headers: Record<string, string> = { 'x-provider': job.providerAddress };
  if (!isTerminal(status)) {
    const retryAfterS = deps.jobs.retryAfterS(job);
    if (retryAfterS !== undefined) headers['retry-after'] = String(retryAfterS);
    return { body, headers };
  }
  const outcome = job.outcome!;
  if (outcome.status === 'failed') {
    body.errorMessage = outcome.errorMessage;
    return { body, headers };
  }
  const provider = deps.provider(job.providerAddress);
  const traceRequestId = traceRequestIdOf(job);
  const images =
    job.responseFormat === 'url'
      ? jobImageUrls(baseUrl, await deps.imageLinks.jobLinkId(job.id), job.n).map((url) => ({ url }))
      : (await provider.renderImages(job, traceRequestId, job.id)).map((image) => ({ b64_json: b64Json(image) }));
  body.data = { created: Math.floor(doneAtMs(job) / 1000), data: images };
  body.x_0g_trace = { request_id: traceRequestId, provider: job.providerAddress, billing: deps.jobs.billing(job, outcome.currency) };
  // verify_tee on the submit or on this poll (contract §18.3).
  if (job.verifyTee || verifyTee) body.x_0g_trace.tee_verified = provider.spec.teeSignerValid;
  const resKey = provider.resKeyOf(job.id);
  if (resKey) headers['zg-res-key'] = resKey;
  return { body, headers };
}

import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { imageUrl } from './api.js';
import { clockTime, money, offset, shortAddress } from './format.js';
import type { JobSummary, Provider } from './types.js';

export const providerName = (providers: Provider[], address: string | undefined): string =>
  address === undefined ? '' : (providers.find((p) => p.address.toLowerCase() === address.toLowerCase())?.name ?? shortAddress(address));

/** An image fetched with the admin token into an object URL, released on unmount; not before `wanted`. */
function useImage(path: string, wanted = true): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!wanted) return;
    const abort = new AbortController();
    let made: string | undefined;
    imageUrl(path, abort.signal).then(
      (u) => setUrl((made = u)),
      () => undefined,
    );
    return () => {
      abort.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [path, wanted]);
  return url;
}

/** True once the element has come near the viewport: a busy client's fiftieth job costs no thumbnail until scrolled to. */
function useSeen<T extends Element>(): [RefObject<T>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (seen || !ref.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: '200px' });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [seen]);
  return [ref, seen];
}

function FullImage({ job, index, onClose }: { job: JobSummary; index: number; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const url = useImage(`/_emulator/jobs/${job.id}/images/${index}`);
  useEffect(() => dialog.current?.showModal(), []);
  return (
    <dialog ref={dialog} class="full-image" aria-label={`Image ${index + 1} of job ${job.id}`} onClose={onClose}>
      <form method="dialog" class="dialog-bar">
        <span>
          {job.model} · {job.size} · image {index + 1} of {job.n}
        </span>
        <button type="submit">Close</button>
      </form>
      {url ? <img src={url} alt={`Full size image ${index + 1} of job ${job.id}: ${job.prompt}`} /> : <p>Loading…</p>}
    </dialog>
  );
}

function Thumb({ job, index, onOpen }: { job: JobSummary; index: number; onOpen(): void }) {
  const [ref, seen] = useSeen<HTMLButtonElement>();
  const url = useImage(`/_emulator/jobs/${job.id}/images/${index}?thumb=1`, seen);
  return (
    <button ref={ref} type="button" class="thumb" onClick={onOpen} aria-label={`Open image ${index + 1} of job ${job.id} full size`}>
      {url ? <img src={url} alt="" /> : <span class="thumb-wait">…</span>}
    </button>
  );
}

function JobCard({ job, providers }: { job: JobSummary; providers: Provider[] }) {
  const [open, setOpen] = useState<number>();
  const created = job.timeline[0]!.at;
  return (
    <li class="job" data-job-id={job.id} data-status={job.status}>
      <div class="job-head">
        <span class={`badge status-${job.status}`}>{job.status}</span>
        <code class="job-id" title={job.id}>
          {job.id}
        </code>
      </div>
      <p class="job-meta">
        {job.model} · {job.size}
        {job.n > 1 ? ` × ${job.n}` : ''} · {providerName(providers, job.provider)} · {job.key_id}
      </p>
      <p class="prompt">{job.prompt}</p>
      <ol class="timeline" aria-label="Transitions on the emulator clock">
        {job.timeline.map((step) => (
          <li key={step.status}>
            <span class={`dot status-${step.status}`} aria-hidden="true" />
            {step.status} <time dateTime={step.at}>{clockTime(step.at)}</time>
            {step.at !== created && <span class="offset"> {offset(created, step.at)}</span>}
          </li>
        ))}
      </ol>
      <p class="job-foot">
        {job.charge ? <span class="charge">Charged {money(job.charge.amount, job.charge.currency)}</span> : <span class="muted">No charge yet</span>}
        <span class="muted"> · {job.polls} polls</span>
      </p>
      {job.error_message && <p class="error-text">{job.error_message}</p>}
      {job.status === 'completed' && (
        <div class="thumbs">
          {Array.from({ length: job.n }, (_, i) => (
            <Thumb key={i} job={job} index={i} onOpen={() => setOpen(i)} />
          ))}
        </div>
      )}
      {open !== undefined && <FullImage job={job} index={open} onClose={() => setOpen(undefined)} />}
    </li>
  );
}

export function JobsPanel({ jobs, providers }: { jobs: { total: number; data: JobSummary[] }; providers: Provider[] }) {
  return (
    <section class="panel" aria-labelledby="jobs-title">
      <h2 id="jobs-title">
        Async jobs <span class="count">{jobs.total > jobs.data.length ? `newest ${jobs.data.length} of ${jobs.total}` : jobs.total}</span>
      </h2>
      {jobs.data.length === 0 ? (
        <p class="muted">No jobs yet. Submit one to POST /v1/async/images/generations.</p>
      ) : (
        <ul class="jobs">
          {jobs.data.map((job) => (
            <JobCard key={job.id} job={job} providers={providers} />
          ))}
        </ul>
      )}
    </section>
  );
}

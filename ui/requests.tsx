import { clockTime } from './format.js';
import { providerName } from './jobs.js';
import type { JournalEntry, Provider } from './types.js';

function statusClass(status: number): string {
  return status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
}

function RequestRow({ entry, providers }: { entry: JournalEntry; providers: Provider[] }) {
  const prompt = typeof entry.body?.prompt === 'string' ? entry.body.prompt : '';
  return (
    <li class="request">
      <time dateTime={entry.at}>{clockTime(entry.at)}</time>
      <span class={`badge http-${statusClass(entry.status)}`}>{entry.status}</span>
      <code class="route">
        {entry.method} {entry.route}
      </code>
      {entry.errorCode && <code class="error-code">{entry.errorCode}</code>}
      <span class="muted">{entry.durationMs} ms</span>
      {entry.provider && <span>{providerName(providers, entry.provider)}</span>}
      {entry.keyId && <span class="muted">{entry.keyId}</span>}
      {prompt && <span class="prompt">“{prompt}”</span>}
    </li>
  );
}

export function RequestsPanel({ requests, providers }: { requests: { dropped: number; data: JournalEntry[] }; providers: Provider[] }) {
  return (
    <section class="panel" aria-labelledby="requests-title">
      <h2 id="requests-title">
        Recent requests <span class="count">from the journal, polls on their job{requests.dropped ? ` · ${requests.dropped} dropped` : ''}</span>
      </h2>
      {requests.data.length === 0 ? (
        <p class="muted">No requests yet.</p>
      ) : (
        <ul class="requests">
          {requests.data.map((entry) => (
            <RequestRow key={entry.seq} entry={entry} providers={providers} />
          ))}
        </ul>
      )}
    </section>
  );
}

import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { adminToken, AuthError, call, readEvents } from './api.js';
import { AccountsPanel, ClockPanel, ProvidersPanel, ResetPanel } from './controls.js';
import { FaultsPanel } from './faults.js';
import { JobsPanel } from './jobs.js';
import { RequestsPanel } from './requests.js';
import { TokenForm } from './token.js';
import type { Act, CatalogFault, Snapshot } from './types.js';
import './console.css';

const RECONNECT_MS = 1000;
type Link = 'connecting' | 'live' | 'reconnecting';

function App({ tokenRequired }: { tokenRequired: boolean }) {
  const [unlocked, setUnlocked] = useState(!tokenRequired || adminToken.get() !== '');
  const [authError, setAuthError] = useState('');
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [receivedAtMs, setReceivedAtMs] = useState(0);
  const [, setSecond] = useState(0);
  const [link, setLink] = useState<Link>('connecting');
  const [keyId, setKeyId] = useState('');
  const [catalog, setCatalog] = useState<CatalogFault[]>([]);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const lock = useCallback((reason: string) => {
    adminToken.clear();
    setSnapshot(null);
    setAuthError(reason);
    setUnlocked(false);
  }, []);

  // The live stream: one snapshot per change, pushed by the server; reconnects until the page locks.
  useEffect(() => {
    if (!unlocked) return;
    const abort = new AbortController();
    const path = `/_emulator/events${keyId ? `?key_id=${keyId}` : ''}`;
    void (async () => {
      while (!abort.signal.aborted) {
        try {
          await readEvents(path, abort.signal, (event, data) => {
            if (event !== 'snapshot') return;
            setSnapshot(JSON.parse(data) as Snapshot);
            setReceivedAtMs(Date.now());
            setLink('live');
          });
        } catch (err) {
          if (err instanceof AuthError) return lock('The server refused that token.');
        }
        if (abort.signal.aborted) return;
        setLink('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    })();
    return () => abort.abort();
  }, [unlocked, keyId, lock]);

  useEffect(() => {
    if (!unlocked) return;
    call<{ data: CatalogFault[] }>('GET', '/_emulator/faults/catalog').then(
      (c) => setCatalog(c.data),
      (err: unknown) => err instanceof AuthError && lock('The server refused that token.'),
    );
  }, [unlocked, lock]);

  // The system clock runs between snapshots (which come only on changes): the header keeps time locally.
  const systemClock = snapshot?.clock.mode === 'system';
  useEffect(() => {
    if (!systemClock) return;
    const timer = setInterval(() => setSecond(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [systemClock]);

  // A key that was reset is gone from the ledger: show every key again.
  useEffect(() => {
    if (keyId && snapshot && !snapshot.key_ids.includes(keyId)) setKeyId('');
  }, [keyId, snapshot]);

  const act: Act = useCallback(
    async (label, action) => {
      try {
        await action();
        setMessage({ error: false, text: `${label}: done` });
        return true;
      } catch (err) {
        if (err instanceof AuthError) lock('The server refused that token.');
        else setMessage({ error: true, text: `${label} failed: ${(err as Error).message}` });
        return false;
      }
    },
    [lock],
  );

  if (!unlocked) {
    return (
      <TokenForm
        error={authError}
        onToken={(token) => {
          adminToken.set(token);
          setAuthError('');
          setLink('connecting');
          setUnlocked(true);
        }}
      />
    );
  }
  const keyIds = snapshot?.key_ids ?? [];
  const shownIso = snapshot && new Date(snapshot.clock.nowMs + (systemClock ? Date.now() - receivedAtMs : 0)).toISOString();
  return (
    <>
      <header class="top">
        <h1>0G Router emulator</h1>
        <p class="clock-now" aria-live="off">
          <span class="label">Emulator time</span> <time>{shownIso ? `${shownIso.slice(0, 10)} ${shownIso.slice(11, 23)} UTC` : '…'}</time>
        </p>
        <p class={`link link-${link}`} role="status">
          {link === 'live' ? 'Live' : link === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </p>
        <div class="filter">
          <label for="key-filter">Filter by key</label>
          <select id="key-filter" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)}>
            <option value="">All keys</option>
            {keyIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </div>
        {tokenRequired && (
          <button type="button" class="quiet" onClick={() => lock('')}>
            Forget token
          </button>
        )}
      </header>
      <p class={`message${message?.error ? ' error' : ''}`} role={message?.error ? 'alert' : 'status'}>
        {message?.text ?? ''}
      </p>
      {snapshot ? (
        <main class="grid">
          <div class="wide">
            <JobsPanel jobs={snapshot.jobs} providers={snapshot.providers} />
            <RequestsPanel requests={snapshot.requests} providers={snapshot.providers} />
          </div>
          <div class="side">
            <ClockPanel clock={snapshot.clock} act={act} />
            <FaultsPanel catalog={catalog} snapshot={snapshot} act={act} />
            <ProvidersPanel providers={snapshot.providers} act={act} />
            <AccountsPanel accounts={snapshot.accounts} act={act} />
            <ResetPanel act={act} />
          </div>
        </main>
      ) : (
        <p class="boot">Waiting for the first snapshot…</p>
      )}
    </>
  );
}

const root = document.getElementById('app')!;
render(<App tokenRequired={document.body.dataset.adminToken === 'required'} />, root);

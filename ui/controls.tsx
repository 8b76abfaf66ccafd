import { useState } from 'preact/hooks';
import { call } from './api.js';
import { money, shortAddress } from './format.js';
import type { AccountSummary, Act, Provider, Snapshot } from './types.js';

const STEPS: [string, number][] = [
  ['1 s', 1000],
  ['10 s', 10_000],
  ['1 min', 60_000],
  ['1 h', 3_600_000],
];

export function ClockPanel({ clock, act }: { clock: Snapshot['clock']; act: Act }) {
  const [target, setTarget] = useState('');
  const manual = clock.mode === 'manual';
  // Until edited, the field shows the emulator's current time.
  const value = target || clock.now.slice(0, 23);
  return (
    <section class="panel" aria-labelledby="clock-title">
      <h2 id="clock-title">
        Clock <span class="count">{clock.mode}</span>
      </h2>
      {!manual && <p class="muted">The clock follows real time. Start with CLOCK=manual (or --clock manual) to move it from here.</p>}
      <div class="buttons">
        {STEPS.map(([label, ms]) => (
          <button key={label} type="button" disabled={!manual} onClick={() => act(`Advance ${label}`, () => call('POST', '/_emulator/clock', { advanceMs: ms }))}>
            Advance {label}
          </button>
        ))}
      </div>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act('Set clock', () => call('POST', '/_emulator/clock', { setTo: new Date(`${value}Z`).toISOString() }));
        }}
      >
        <div class="field">
          <label for="clock-target">Set to (UTC)</label>
          <input id="clock-target" type="datetime-local" step="0.001" required disabled={!manual} value={value} onInput={(e) => setTarget(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={!manual}>
          Set clock
        </button>
      </form>
    </section>
  );
}

export function ProvidersPanel({ providers, act }: { providers: Provider[]; act: Act }) {
  const toggle = (p: Provider) => {
    const action = p.healthy ? 'Start outage' : 'End outage';
    return act(`${action}: ${p.name}`, () => call('POST', '/_emulator/providers/health', { address: p.address, healthy: !p.healthy }));
  };
  return (
    <section class="panel" aria-labelledby="providers-title">
      <h2 id="providers-title">Provider health</h2>
      <ul class="providers">
        {providers.map((p) => (
          <li key={p.address}>
            <span class={`badge ${p.healthy ? 'http-ok' : 'http-bad'}`}>{p.healthy ? 'healthy' : 'down'}</span>
            <span class="provider-name">{p.name}</span>
            <code class="muted" title={p.address}>
              {shortAddress(p.address)}
            </code>
            <button type="button" aria-label={`${p.healthy ? 'Start outage' : 'End outage'}: ${p.name}`} onClick={() => toggle(p)}>
              {p.healthy ? 'Start outage' : 'End outage'}
            </button>
            <span class="muted models">{p.models.join(', ')}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

const FINDING_NAMES: Record<string, string> = {
  early_polls: 'early polls',
  jobs_never_polled_to_terminal: 'jobs never polled to the end',
  retried_submits: 'retried submits',
  deprecated_fields: 'deprecated fields',
  expired_job_polls: 'polls of expired jobs',
};

export function AccountsPanel({ accounts, act }: { accounts: { total: number; data: AccountSummary[] }; act: Act }) {
  return (
    <section class="panel" aria-labelledby="accounts-title">
      <h2 id="accounts-title">
        Ledger and client report <span class="count">{accounts.total > accounts.data.length ? `newest ${accounts.data.length} of ${accounts.total}` : accounts.total}</span>
      </h2>
      {accounts.data.length === 0 && <p class="muted">No key has been used yet.</p>}
      <ul class="accounts">
        {accounts.data.map((a) => (
          <li key={a.key_id}>
            <p class="account-head">
              <code>{a.key_id}</code>
              <button type="button" class="quiet" aria-label={`Reset key ${a.key_id}`} onClick={() => act(`Reset ${a.key_id}`, () => call('POST', '/_emulator/reset', { key_id: a.key_id }))}>
                Reset
              </button>
            </p>
            <dl class="figures">
              <dt>Balance</dt>
              <dd>{money(a.balance, a.currency)}</dd>
              <dt>Spent</dt>
              <dd>{money(a.spent, a.currency)}</dd>
              <dt>Charges</dt>
              <dd>{a.charge_count}</dd>
            </dl>
            <ul class="findings" aria-label={`Client report for ${a.key_id}`}>
              {Object.entries(a.findings).map(([name, count]) => (
                <li key={name} class={count > 0 ? 'finding-hit' : 'muted'}>
                  {FINDING_NAMES[name] ?? name}: {count}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ResetPanel({ act }: { act: Act }) {
  return (
    <section class="panel" aria-labelledby="reset-title">
      <h2 id="reset-title">Reset</h2>
      <p class="muted">Jobs, ledger, rate windows, fault rules, journal, report, provider health and revocations. One key: its Reset button above.</p>
      <div class="buttons">
        <button type="button" class="danger" onClick={() => act('Reset everything', () => call('POST', '/_emulator/reset', {}))}>
          Reset everything
        </button>
      </div>
    </section>
  );
}

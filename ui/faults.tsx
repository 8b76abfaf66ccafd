import { useState } from 'preact/hooks';
import { call } from './api.js';
import { shortAddress } from './format.js';
import type { Act, CatalogFault, FaultRule, Snapshot } from './types.js';

const ROUTES = ['/v1/images/generations', '/v1/images/edits', '/v1/async/images/generations', '/v1/async/images/edits', '/v1/async/jobs/:jobId'];

interface Draft {
  fault: string;
  route: string;
  model: string;
  provider: string;
  keyId: string;
  times: string;
}

const EMPTY: Draft = { fault: '', route: '', model: '', provider: '', keyId: '', times: '1' };

function ruleBody(d: Draft) {
  const match = {
    ...(d.route ? { route: d.route } : {}),
    ...(d.model ? { model: d.model } : {}),
    ...(d.provider ? { provider: d.provider } : {}),
    ...(d.keyId ? { key_id: d.keyId } : {}),
  };
  return { fault: d.fault, match, ...(d.times ? { times: Number(d.times) } : {}) };
}

function describeMatch(rule: FaultRule, snapshot: Snapshot): string {
  const m = rule.match;
  const parts = [
    m.route,
    m.model,
    m.provider && (snapshot.providers.find((p) => p.address.toLowerCase() === m.provider)?.name ?? shortAddress(m.provider)),
    m.keyId,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'every request';
}

function Select({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: [string, string][]; onChange(v: string): void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FaultsPanel({ catalog, snapshot, act }: { catalog: CatalogFault[]; snapshot: Snapshot; act: Act }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = (field: keyof Draft) => (value: string) => setDraft({ ...draft, [field]: value });
  const chosen = catalog.find((f) => f.code === draft.fault);
  const models = [...new Set(snapshot.providers.flatMap((p) => p.models))];
  return (
    <section class="panel" aria-labelledby="faults-title">
      <h2 id="faults-title">Fault rules</h2>
      <form
        class="fault-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await act(`Arm ${draft.fault}`, () => call('POST', '/_emulator/faults', ruleBody(draft)))) setDraft({ ...draft, fault: '' });
        }}
      >
        <div class="field fault-choice">
          <label for="fault-code">Fault</label>
          <select id="fault-code" required value={draft.fault} onChange={(e) => set('fault')(e.currentTarget.value)}>
            <option value="">Choose from the catalogue…</option>
            <optgroup label="Router errors">
              {catalog
                .filter((f) => f.kind === 'error')
                .map((f) => (
                  <option key={f.code} value={f.code}>
                    {f.status} {f.code}
                  </option>
                ))}
            </optgroup>
            <optgroup label="Behaviours">
              {catalog
                .filter((f) => f.kind !== 'error')
                .map((f) => (
                  <option key={f.code} value={f.code}>
                    {f.code}
                  </option>
                ))}
            </optgroup>
          </select>
        </div>
        {chosen && <p class="muted hint">{chosen.message ?? chosen.description}</p>}
        <Select id="fault-route" label="Route" value={draft.route} onChange={set('route')} options={[['', 'Any route'], ...ROUTES.map((r): [string, string] => [r, r])]} />
        <Select id="fault-model" label="Model" value={draft.model} onChange={set('model')} options={[['', 'Any model'], ...models.map((m): [string, string] => [m, m])]} />
        <Select
          id="fault-provider"
          label="Provider"
          value={draft.provider}
          onChange={set('provider')}
          options={[['', 'Any provider'], ...snapshot.providers.map((p): [string, string] => [p.address.toLowerCase(), `when routed to ${p.name}`])]}
        />
        <Select id="fault-key" label="Key" value={draft.keyId} onChange={set('keyId')} options={[['', 'Any key'], ...snapshot.key_ids.map((k): [string, string] => [k, k])]} />
        <div class="field">
          <label for="fault-times">Times (blank: until disarmed)</label>
          <input id="fault-times" type="number" min="1" step="1" inputMode="numeric" value={draft.times} onInput={(e) => set('times')(e.currentTarget.value)} />
        </div>
        <button type="submit">Arm fault</button>
      </form>
      {snapshot.faults.length === 0 ? (
        <p class="muted">No rules armed.</p>
      ) : (
        <ul class="rules">
          {snapshot.faults.map((rule) => (
            <li key={rule.id} data-rule-id={rule.id}>
              <code class="rule-code">{rule.code}</code>
              <span class="muted">{describeMatch(rule, snapshot)}</span>
              <span class="rule-counts">
                fired {rule.fired}
                {rule.remaining !== undefined ? ` · remaining ${rule.remaining}` : ''}
                {rule.probability !== undefined ? ` · p=${rule.probability}` : ''}
              </span>
              <button type="button" class="quiet" aria-label={`Disarm ${rule.code} (rule ${rule.id})`} onClick={() => act(`Disarm ${rule.code}`, () => call('DELETE', `/_emulator/faults/${rule.id}`))}>
                Disarm
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

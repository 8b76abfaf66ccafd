import type { App } from './app.js';
import { defaultConfig, type Config } from './config.js';
import { startServer } from './server.js';
import type { AppDeps } from './services.js';

export interface StartEmulatorOptions extends Partial<Config> {
  /** Default `manual`: time moves only when the test says so. */
  clock?: Config['clock'];
  deps?: AppDeps;
}

export interface FaultRuleInput {
  fault: string;
  match?: { route?: string; model?: string; key?: string; provider?: string };
  times?: number;
  probability?: number;
  seed?: number;
  latencyMs?: number;
  errorMessage?: string;
  retryAfterS?: number;
  processingMs?: number;
}

export interface LedgerView {
  key_id: string;
  currency: '0g' | 'usd';
  balance: string;
  spent: string;
  revoked: boolean;
  charge_count: number;
  dropped_charges: number;
  charges: { request_id: string; job_id?: string; model: string; provider: string; images: number; amount_neuron: string; amount: string; at: string }[];
}

export interface ManagedAccountInput {
  management_key?: string;
  currency?: '0g' | 'usd';
  /** Starting balance in 0G (USD for usd accounts). */
  balance?: string;
  scopes?: ('account:read' | 'keys:read' | 'keys:create' | 'keys:manage')[];
  api_keys?: {
    key: string;
    name?: string;
    allowed_models?: string[];
    allowed_providers?: string[];
    credit_limit?: string;
    trust_mode?: 'standard' | 'verified' | 'private' | '';
    reset_period?: 'never' | 'daily' | 'weekly' | 'monthly' | '';
    expiration?: string;
  }[];
}

export interface ManagedAccountCreated {
  account_id: string;
  address: string;
  management_key: string;
  currency: '0g' | 'usd';
  api_keys: { key: string; key_id: string }[];
}

/** A typed client for the /_emulator control plane of a running emulator. */
export class EmulatorControl {
  constructor(
    readonly url: string,
    private readonly adminToken = '',
  ) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.adminToken) headers.authorization = `Bearer ${this.adminToken}`;
    const res = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  clock() {
    return this.#call<{ mode: string; nowMs: number; now: string }>('GET', '/_emulator/clock');
  }
  advance(ms: number) {
    return this.#call<{ nowMs: number; now: string }>('POST', '/_emulator/clock', { advanceMs: ms });
  }
  setTime(iso: string) {
    return this.#call<{ nowMs: number; now: string }>('POST', '/_emulator/clock', { setTo: iso });
  }
  faultCatalog() {
    return this.#call<{ data: { code: string; kind: string; status?: number }[] }>('GET', '/_emulator/faults/catalog');
  }
  armFault(rule: FaultRuleInput) {
    return this.#call<{ id: string; fired: number }>('POST', '/_emulator/faults', rule);
  }
  disarmFault(id: string) {
    return this.#call<void>('DELETE', `/_emulator/faults/${id}`);
  }
  setProviderHealth(address: string, healthy: boolean, inMs = 0) {
    return this.#call<{ effective_at: string }>('POST', '/_emulator/providers/health', { address, healthy, inMs });
  }
  ledger(key: string) {
    return this.#call<LedgerView>('GET', `/_emulator/ledger?key=${encodeURIComponent(key)}`);
  }
  account(key: string, action: 'top_up' | 'drain' | 'set_balance' | 'revoke' | 'restore', amount?: string) {
    return this.#call<LedgerView>('POST', '/_emulator/accounts', { key, action, ...(amount !== undefined ? { amount } : {}) });
  }
  requests(query: { key?: string; route?: string; job?: string; since?: string; limit?: number } = {}) {
    const qs = new URLSearchParams(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))).toString();
    return this.#call<{ dropped: number; data: Record<string, unknown>[] }>('GET', `/_emulator/requests${qs ? `?${qs}` : ''}`);
  }
  report(key: string) {
    return this.#call<Record<string, { count: number } & Record<string, unknown>>>('GET', `/_emulator/report?key=${encodeURIComponent(key)}`);
  }
  /** An account with a management key (generated unless given) and API keys; the management key drives /v1/account and /v1/api-keys. */
  managedAccount(spec: ManagedAccountInput = {}) {
    return this.#call<ManagedAccountCreated>('POST', '/_emulator/managed-accounts', spec);
  }
  reset(key?: string) {
    return this.#call<{ reset: string }>('POST', '/_emulator/reset', key === undefined ? {} : { key });
  }
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/v1`: give it to `new OpenAI({ baseURL })`. */
  baseURL: string;
  control: EmulatorControl;
  app: App;
  close(): Promise<void>;
}

/** Starts an emulator in this process on a free loopback port, for a test suite; resolves once it is ready. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const { deps = {}, ...overrides } = options;
  // The suite shares this event loop: its own blocking work must not turn into 503 backpressure.
  const config = defaultConfig({ logLevel: 'silent', clock: 'manual', maxEventLoopDelayMs: 0, ...overrides, host: '127.0.0.1', port: 0 });
  const server = await startServer(config, deps);
  // A suite's first request should not race the renderer's warm-up.
  await server.app.services.lifecycle.warmedUp;
  return {
    url: server.url,
    baseURL: `${server.url}/v1`,
    control: new EmulatorControl(server.url, config.adminToken),
    app: server.app,
    close: async () => {
      await server.shutdown('test kit close');
    },
  };
}

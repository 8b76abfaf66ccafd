// The wire shapes the console reads (src/schemas/console.ts on the server).
export interface JobSummary {
  id: string;
  key_id: string;
  model: string;
  provider: string;
  size: string;
  n: number;
  prompt: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  timeline: { status: string; at: string }[];
  polls: number;
  error_message?: string;
  charge?: { amount: string; currency: '0g' | 'usd' };
}

export interface JournalEntry {
  seq: number;
  at: string;
  requestId: string;
  keyId?: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  jobId?: string;
  errorCode?: string;
  provider?: string;
  body?: { prompt?: unknown; model?: unknown };
}

export interface AccountSummary {
  key_id: string;
  currency: '0g' | 'usd';
  balance: string;
  spent: string;
  charge_count: number;
  findings: Record<string, number>;
}

export interface FaultRule {
  id: string;
  code: string;
  fired: number;
  remaining?: number;
  probability?: number;
  match: { route?: string; model?: string; keyId?: string; provider?: string };
}

export interface Provider {
  address: string;
  name: string;
  healthy: boolean;
  models: string[];
}

export interface Snapshot {
  clock: { mode: 'manual' | 'system'; nowMs: number; now: string };
  key_ids: string[];
  live_jobs: number;
  jobs: { total: number; data: JobSummary[] };
  requests: { dropped: number; data: JournalEntry[] };
  accounts: { total: number; data: AccountSummary[] };
  faults: FaultRule[];
  providers: Provider[];
}

export interface CatalogFault {
  code: string;
  kind: string;
  status?: number;
  message?: string;
  description?: string;
}

/** Runs a control-plane action, reporting its outcome to the page. */
export type Act = (label: string, action: () => Promise<unknown>) => Promise<boolean>;

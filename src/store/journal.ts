import type { Summary } from '../lib/body-summary.js';

/** One request as the control plane reports it: never a key, never image bytes. */
export interface JournalEntry extends JournalRecord {
  seq: number;
  /** ISO time, made when the journal is read: formatting it per request cost more than the rest of the entry. */
  at: string;
}

/** What the server records per request; fields it has no value for are undefined. */
export interface JournalRecord {
  atMs: number;
  requestId: string;
  keyId?: string;
  method: string;
  route: string;
  url: string;
  status: number;
  durationMs: number;
  jobId?: string;
  jobStatus?: string;
  provider?: string;
  errorCode?: string;
  retryAfterS?: number;
  /** The request body summarised (lib/body-summary): bounded whatever was sent. */
  body?: Summary | undefined;
}

export interface JournalQuery {
  keyId?: string;
  route?: string;
  jobId?: string;
  sinceMs?: number;
  limit?: number;
}

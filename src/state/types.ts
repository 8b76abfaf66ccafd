import type { Currency } from '../domain/billing.js';
import type { Observation, ReportBody } from '../domain/client-report.js';
import type { JournalEntry, JournalQuery, JournalRecord } from '../store/journal.js';
import type { Job, JobOutcome, JobStatus } from '../store/job-store.js';

/*
 * One interface per kind of state that changes per request, each with an
 * in-memory implementation (the default, and the fast path) and a Redis one
 * (restarts, replicas). Services depend on these interfaces only. Every method
 * is async so the two are interchangeable; what must happen once across
 * processes (a booking, a job's settlement, a rule's last firing) is one
 * atomic operation of the store, never a read-then-write in the caller.
 *
 * Control state that changes only through the control plane (accounts and
 * keys, revocations, fault rule definitions, provider health, the manual
 * clock) is not here: it lives in versioned documents (ControlDocs).
 */

/**
 * State export and import (GET/PUT /_emulator/state): every store dumps to
 * plain JSON (bigints as decimal strings, bytes as base64), the same format
 * for both backends, and loads such a dump on top of what it holds (entries
 * with the same id are replaced). `scope` narrows a dump to one account (or
 * key, for the journal and the report).
 */
export interface Dumpable<D> {
  dump(scope?: string): Promise<D>;
  load(dump: D): Promise<void>;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------- ledger

export interface Charge {
  /** 1, 2, 3… per account: the usage-history row id. */
  id: number;
  /** The key the request was made with (`key_…`). */
  apiKeyId: string;
  /** The serving provider's trust tier, for usage filters. */
  trustMode: string;
  /** The request id the charge is booked under (`async-…` for jobs). */
  requestId: string;
  jobId?: string | undefined;
  model: string;
  provider: string;
  images: number;
  amountNeuron: bigint;
  /** In the account's currency. */
  amount: bigint;
  atMs: number;
}

/** A charge to book: priced in neuron, and already converted for a USD account. */
export interface ChargeInput extends Omit<Charge, 'id' | 'amount'> {
  amountMicroUsd: bigint;
}

/** What an account is opened with when it does not exist yet. */
export interface Opening {
  currency: Currency;
  balance: bigint;
}

export interface AccountState {
  accountId: string;
  currency: Currency;
  /** In the account's currency (neuron for 0G, micro-USD for USD). */
  balance: bigint;
  spent: bigint;
  chargeCount: number;
  /** Charges no longer listed (per-account and global bounds). */
  droppedCharges: number;
  /** The account's starting balance: an account still at it with no charges is pristine (pruned first). */
  startBalance: bigint;
}

export interface AccountRecord extends AccountState {
  /** The newest charges, oldest first. */
  recent: Charge[];
}

/** Spend toward a managed key's credit limit in its current reset period. */
export interface KeySpendState {
  used: bigint;
  periodStartMs: number;
}

/** Where a booking counts toward a managed key's credit limit: the period the charge falls in. */
export interface SpendInput {
  keyId: string;
  periodStartMs: number;
}

export interface Booked {
  amount: bigint;
  currency: Currency;
}

export type BalanceChange = { kind: 'top_up'; amount: bigint } | { kind: 'set'; amount: bigint } | { kind: 'drain' };

export interface LedgerTotals {
  spentNeuron: bigint;
  spentMicroUsd: bigint;
  charges: number;
  accounts: number;
}

export interface LedgerBounds {
  /** Charges listed per account (older ones are counted in droppedCharges). Default 1000. */
  recentMax?: number;
  /** Accounts kept: past it, pristine accounts go first, then the least recently active. Default 10,000. */
  accountsMax?: number;
  /** Charges listed across all accounts; past it the least recently active accounts lose their oldest. Default 100,000. */
  chargesMax?: number;
  /** Managed keys whose spend is kept; past it the least recently charged key's spend is forgotten. Default 100,000. */
  keySpendsMax?: number;
}

export interface LedgerStore extends Dumpable<Json> {
  /** The account, opened with `opening` when absent (an open counts as activity). */
  open(accountId: string, opening: Opening): Promise<AccountState>;
  /** The account and its listed charges, or undefined when it is not open. Not activity. */
  get(accountId: string): Promise<AccountRecord | undefined>;
  /** Open accounts, least recently active first; with `limit`, only the newest `limit`. */
  list(limit?: number): Promise<AccountState[]>;
  /**
   * Books a charge (opening the account with `opening` if needed): balance
   * and spent change by the amount in the account's currency (a balance may
   * go below zero), chargeCount grows, the charge is listed, and `spend`
   * counts it toward a key's credit limit. Atomic.
   */
  book(accountId: string, opening: Opening, charge: ChargeInput, spend?: SpendInput): Promise<Booked>;
  /** Top up, set or drain a balance (opening the account if needed). Atomic. */
  change(accountId: string, opening: Opening, change: BalanceChange): Promise<AccountState>;
  totals(): Promise<LedgerTotals>;
  /** A managed key's spend, or undefined before its first charge. */
  keySpend(keyId: string): Promise<KeySpendState | undefined>;
  /** Forgets one account (and the spend of `keyIds`), or everything. */
  reset(accountId?: string, keyIds?: readonly string[]): Promise<void>;
}

// ---------------------------------------------------------------- jobs

/** A booking that completes a job: made in the same atomic step as the outcome. */
export interface JobBooking {
  accountId: string;
  opening: Opening;
  charge: ChargeInput;
  spend?: SpendInput | undefined;
}

export interface JobCounts {
  /** Retained jobs. */
  total: number;
  /** Jobs without an outcome yet. */
  live: number;
  /** Bytes of edit thumbnails the retained jobs hold. */
  sourceBytes: number;
}

export interface JobStore extends Dumpable<Json> {
  /** Stores a new job without an outcome, indexed by its completion time (createdMs + doneAfterMs). */
  create(job: Job): Promise<void>;
  /** A copy of the job: changing it changes nothing stored. */
  get(id: string): Promise<Job | undefined>;
  /**
   * Gives the job its outcome unless it has one, and for a completed job books
   * `booking` in the same atomic step: however many processes race, a job is
   * settled and billed once. Returns the job as stored afterwards (with the
   * winner's outcome), or undefined when it no longer exists.
   */
  settle(id: string, outcome: JobOutcome, booking?: JobBooking): Promise<Job | undefined>;
  /** Counts one poll of the job (the in-progress word alternates by poll); returns the new count, 0 if the job is gone. */
  countPoll(id: string): Promise<number>;
  /** Ids of jobs without an outcome whose completion time is at or before `nowMs`, earliest first. */
  due(nowMs: number, limit: number): Promise<string[]>;
  /** Earliest completion time of a job without an outcome, or undefined. */
  nextDueMs(): Promise<number | undefined>;
  /** Removes settled jobs that completed before `completedBeforeMs`; returns how many. Never touches live jobs. */
  expire(completedBeforeMs: number): Promise<number>;
  delete(id: string): Promise<void>;
  /** Jobs, newest first (by createdMs), optionally one account's, at most `limit`. */
  list(options?: { accountId?: string; limit?: number }): Promise<Job[]>;
  counts(): Promise<JobCounts>;
  /** How many retained jobs are in each state at `nowMs` (metrics scrapes): copies nothing where the store can avoid it. */
  statusCounts(nowMs: number): Promise<Record<JobStatus, number>>;
  /** Forgets every job (or one account's) with nothing booked for those not settled. */
  reset(accountId?: string): Promise<void>;
}

// ---------------------------------------------------------------- rate windows

export interface RateWindowStore extends Dumpable<Json> {
  /**
   * Counts one request of `accountId` in the fixed window starting at
   * `windowStartMs`, unless `limit` are already counted. Atomic across processes.
   */
  take(accountId: string, windowStartMs: number, windowMs: number, limit: number): Promise<{ count: number; allowed: boolean }>;
  reset(accountId?: string): Promise<void>;
}

// ---------------------------------------------------------------- fault rule counters

export interface FaultCounts {
  fired: number;
  /** undefined: unlimited. */
  remaining: number | undefined;
}

/**
 * The changing part of a fault rule (its definition lives in ControlDocs):
 * how often it fired, how many firings remain, and how many random draws its
 * seeded sequence has used, so a probability rule replays the same sequence
 * whichever process draws.
 */
export interface FaultCounterStore extends Dumpable<Json> {
  /** A new rule: `remaining` firings (undefined: unlimited), nothing fired or drawn. */
  init(ruleId: string, remaining: number | undefined): Promise<void>;
  /** The next draw number (1, 2, 3…) of the rule's sequence, or undefined when it has no firing left. */
  draw(ruleId: string): Promise<number | undefined>;
  /** Consumes one firing if one remains (always, when unlimited); false when another process took the last. */
  fire(ruleId: string): Promise<boolean>;
  counts(ruleIds: readonly string[]): Promise<Map<string, FaultCounts>>;
  delete(ruleIds: readonly string[]): Promise<void>;
  reset(): Promise<void>;
}

// ---------------------------------------------------------------- journal

export interface JournalStore extends Dumpable<Json> {
  readonly capacity: number;
  /**
   * Appends (the oldest entry goes past `capacity`, counted as dropped). Called
   * after every answered request, so a store that needs no I/O answers
   * synchronously (undefined): no promise per request.
   */
  add(record: JournalRecord): Promise<void> | undefined;
  query(q?: JournalQuery): Promise<JournalEntry[]>;
  dropped(): Promise<number>;
  /** Forgets one key's entries (or all, which also zeroes `dropped`). */
  clear(keyId?: string): Promise<void>;
}

// ---------------------------------------------------------------- client report

export interface ReportStore extends Dumpable<Json> {
  /** As JournalStore.add: synchronous (undefined) when no I/O is needed. */
  observe(o: Observation): Promise<void> | undefined;
  report(keyId: string, jobStatus: (jobId: string) => string | undefined, costOf: (requestId: string, jobId?: string) => bigint): Promise<ReportBody>;
  reset(keyId?: string): Promise<void>;
}

// ---------------------------------------------------------------- control documents

export interface VersionedDoc {
  version: number;
  /** JSON text; undefined: never written. */
  json: string | undefined;
}

/**
 * Small documents changed only by the control plane, read on every request:
 * each process keeps a parsed copy and re-reads the ones whose version moved.
 * `epoch` moves whenever any document does, so one read tells a process
 * whether its copies are current.
 */
export interface ControlDocs {
  epoch(): Promise<number>;
  read(names: readonly string[]): Promise<Map<string, VersionedDoc>>;
  /** Writes `json` if the document is still at `expectedVersion`: its new version, or undefined if another process wrote first. */
  write(name: string, expectedVersion: number, json: string): Promise<number | undefined>;
  reset(): Promise<void>;
}

// ---------------------------------------------------------------- served image links

/** URL_RESPONSES=serve: what a served image URL resolves to (render parameters as JSON, thumbnails in base64). */
export interface ImageLinkStore {
  /** Keeps a link's JSON for `ttlMs` at most; the store may forget older links first to stay bounded. */
  put(id: string, json: string, sizeBytes: number, ttlMs: number): Promise<void>;
  get(id: string): Promise<string | undefined>;
  /** A random secret shared by every process on this store (signs job image links); made on first use. */
  secret(): Promise<Buffer>;
}

// ---------------------------------------------------------------- the backend

export interface StateBackend {
  readonly kind: 'memory' | 'redis';
  readonly ledger: LedgerStore;
  readonly jobs: JobStore;
  readonly rates: RateWindowStore;
  readonly faultCounters: FaultCounterStore;
  readonly journal: JournalStore;
  readonly reports: ReportStore;
  readonly docs: ControlDocs;
  readonly links: ImageLinkStore;
  /** Whether the backing store answers; the reason when it does not. */
  status(): { ok: true } | { ok: false; reason: string };
  close(): Promise<void>;
}

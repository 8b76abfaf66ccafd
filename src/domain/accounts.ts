import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';
import { flat, keyIdOf, newHexId } from '../lib/ids.js';
import type { TrustModeName } from '../providers/types.js';
import { MANAGEMENT_SCOPES, type AccountSpec, type ManagementScopeName } from '../schemas/accounts.js';
import type { CreateApiKeyBody } from '../schemas/api-keys.js';
import { parseDecimal, type Currency } from './billing.js';
import type { Json } from '../state/types.js';
import { periodStartMs, type KeyRestrictions, type ResetPeriod } from './key-restrictions.js';

/** An API key that belongs to a managed account (plain `sk-` keys are each their own account and have no record). */
export interface ApiKeyRecord {
  keyId: string;
  secret: string;
  accountId: string;
  name: string;
  createdMs: number;
  expiresMs: number | undefined;
  revoked: boolean;
  restrictions: KeyRestrictions;
  /** Spend toward the credit limit restarts at each period's start (the ledger store keeps the spend). */
  resetPeriod: ResetPeriod;
}

export interface ManagedAccount {
  id: string;
  /** A wallet-like address for /account/funds, derived from the id. */
  address: string;
  managementKey: string;
  scopes: ReadonlySet<ManagementScopeName>;
  currency: Currency;
  /** Starting balance in the currency's base unit; undefined: the default. */
  balance: bigint | undefined;
  keys: Map<string, ApiKeyRecord>;
}

interface AccountJson {
  id: string;
  address: string;
  managementKey: string;
  scopes: ManagementScopeName[];
  currency: Currency;
  balance: string | null;
  keys: {
    keyId: string;
    secret: string;
    name: string;
    createdMs: number;
    expiresMs: number | null;
    revoked: boolean;
    resetPeriod: ResetPeriod;
    allowedModels: string[];
    allowedProviders: string[];
    creditLimit: string | null;
    trustMode: TrustModeName | null;
  }[];
}

export interface AccountLimits {
  maxAccounts: number;
  maxKeysPerAccount: number;
}

const decimalsOf = (currency: Currency) => (currency === 'usd' ? 6 : 18);

/** `expiration` as the Router reads it: RFC 3339, or "no_expiration"/"" for none. */
export function parseExpiration(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === 'no_expiration') return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new ApiError('invalid_body', 'expiration must be an RFC 3339 time, "no_expiration" or ""');
  }
  return ms;
}

/**
 * The accounts that own keys: who a management key is, which account an API
 * key spends from, and each key's restrictions and spend. Everything a client
 * can add is capped (accounts, keys per account, revoked keys included).
 */
export class AccountRegistry {
  readonly #accounts = new Map<string, ManagedAccount>();
  readonly #byManagementKey = new Map<string, ManagedAccount>();
  readonly #bySecret = new Map<string, ApiKeyRecord>();

  constructor(
    private readonly declared: readonly AccountSpec[],
    private readonly limits: AccountLimits,
    private readonly nowMs: () => number,
  ) {
    this.reset();
  }

  get size(): number {
    return this.#accounts.size;
  }

  /** Back to the accounts declared in the config file: run-time accounts and keys are forgotten. */
  reset(): void {
    this.#accounts.clear();
    this.#byManagementKey.clear();
    this.#bySecret.clear();
    for (const spec of this.declared) this.create(spec, true);
  }

  apiKey(secret: string): ApiKeyRecord | undefined {
    return this.#bySecret.get(secret);
  }

  byManagementKey(token: string): ManagedAccount | undefined {
    return this.#byManagementKey.get(token);
  }

  account(id: string): ManagedAccount | undefined {
    return this.#accounts.get(id);
  }

  create(spec: AccountSpec, declared = false): ManagedAccount {
    if (!declared && this.#accounts.size >= this.limits.maxAccounts) {
      throw new ApiError('bad_request', `account limit reached: at most ${this.limits.maxAccounts} accounts (MAX_ACCOUNTS)`);
    }
    const managementKey = spec.management_key ?? flat(`mk-${newHexId()}${newHexId()}`);
    if (this.#byManagementKey.has(managementKey)) throw new ApiError('bad_request', 'that management key already belongs to an account');
    const secrets = (spec.api_keys ?? []).map((k) => k.key);
    for (const [i, secret] of secrets.entries()) {
      if (this.#bySecret.has(secret) || secrets.indexOf(secret) !== i) {
        throw new ApiError('bad_request', `API key ${secret.slice(0, 8)}… already belongs to an account`);
      }
    }
    const id = flat(`acct_${createHash('sha256').update(managementKey).digest('hex').slice(0, 16)}`);
    const currency = spec.currency ?? '0g';
    const account: ManagedAccount = {
      id,
      address: `0x${createHash('sha256').update(`address:${id}`).digest('hex').slice(0, 40)}`,
      managementKey,
      scopes: new Set(spec.scopes ?? MANAGEMENT_SCOPES),
      currency,
      balance: spec.balance === undefined ? undefined : parseDecimal(spec.balance, decimalsOf(currency)),
      keys: new Map(),
    };
    this.#accounts.set(id, account);
    this.#byManagementKey.set(managementKey, account);
    try {
      for (const { key, ...request } of spec.api_keys ?? []) this.addKey(account, request, key);
    } catch (err) {
      // All or nothing: a key that cannot be added leaves no half-made account behind.
      this.#accounts.delete(id);
      this.#byManagementKey.delete(managementKey);
      for (const secret of secrets) this.#bySecret.delete(secret);
      throw err;
    }
    return account;
  }

  /** A new key of `account`; `secret` is given for declared keys, generated otherwise. */
  addKey(account: ManagedAccount, request: CreateApiKeyBody, secret = flat(`sk-${newHexId()}${newHexId()}`)): ApiKeyRecord {
    if (account.keys.size >= this.limits.maxKeysPerAccount) {
      throw new ApiError('bad_request', `API key limit reached: an account holds at most ${this.limits.maxKeysPerAccount} keys, revoked ones included (MAX_API_KEYS_PER_ACCOUNT)`);
    }
    this.checkName(account, request.name);
    const resetPeriod: ResetPeriod = request.reset_period || 'never';
    const record: ApiKeyRecord = {
      keyId: keyIdOf(secret),
      secret,
      accountId: account.id,
      name: request.name ?? '',
      createdMs: this.nowMs(),
      expiresMs: parseExpiration(request.expiration),
      revoked: false,
      restrictions: {
        allowedModels: request.allowed_models ?? [],
        allowedProviders: (request.allowed_providers ?? []).map((a) => a.toLowerCase()),
        creditLimit: request.credit_limit === undefined ? undefined : parseDecimal(request.credit_limit, decimalsOf(account.currency)),
        trustMode: (request.trust_mode || undefined) as TrustModeName | undefined,
      },
      resetPeriod,
    };
    account.keys.set(record.keyId, record);
    this.#bySecret.set(secret, record);
    return record;
  }

  /** The control plane's answer: the only place a management key and declared secrets are echoed. */
  describe(account: ManagedAccount) {
    return {
      account_id: account.id,
      address: account.address,
      management_key: account.managementKey,
      currency: account.currency,
      api_keys: [...account.keys.values()].map((k) => ({ key: k.secret, key_id: k.keyId })),
    };
  }

  /** Where a charge made with a managed key counts toward its credit limit: the reset period `atMs` falls in. */
  spendOf(accountId: string, apiKeyId: string, atMs: number): { keyId: string; periodStartMs: number } | undefined {
    const record = this.#accounts.get(accountId)?.keys.get(apiKeyId);
    return record && { keyId: record.keyId, periodStartMs: periodStartMs(record.resetPeriod, atMs) };
  }

  /** The whole registry as a control document (shared between replicas, exported as state). */
  toJson(): Json {
    return [...this.#accounts.values()].map((a) => ({
      id: a.id,
      address: a.address,
      managementKey: a.managementKey,
      scopes: [...a.scopes],
      currency: a.currency,
      balance: a.balance === undefined ? null : a.balance.toString(),
      keys: [...a.keys.values()].map((k) => ({
        keyId: k.keyId,
        secret: k.secret,
        name: k.name,
        createdMs: k.createdMs,
        expiresMs: k.expiresMs ?? null,
        revoked: k.revoked,
        resetPeriod: k.resetPeriod,
        allowedModels: [...k.restrictions.allowedModels],
        allowedProviders: [...k.restrictions.allowedProviders],
        creditLimit: k.restrictions.creditLimit === undefined ? null : k.restrictions.creditLimit.toString(),
        trustMode: k.restrictions.trustMode ?? null,
      })),
    }));
  }

  /** Replaces the registry with a document's accounts (none: the declared ones). */
  fromJson(json: Json | undefined): void {
    if (json === undefined) return this.reset();
    this.#accounts.clear();
    this.#byManagementKey.clear();
    this.#bySecret.clear();
    for (const a of json as unknown as AccountJson[]) {
      const account: ManagedAccount = {
        id: a.id,
        address: a.address,
        managementKey: a.managementKey,
        scopes: new Set(a.scopes),
        currency: a.currency,
        balance: a.balance === null ? undefined : BigInt(a.balance),
        keys: new Map(),
      };
      for (const k of a.keys) {
        const record: ApiKeyRecord = {
          keyId: k.keyId,
          secret: k.secret,
          accountId: a.id,
          name: k.name,
          createdMs: k.createdMs,
          expiresMs: k.expiresMs ?? undefined,
          revoked: k.revoked,
          resetPeriod: k.resetPeriod,
          restrictions: {
            allowedModels: k.allowedModels,
            allowedProviders: k.allowedProviders,
            creditLimit: k.creditLimit === null ? undefined : BigInt(k.creditLimit),
            trustMode: k.trustMode ?? undefined,
          },
        };
        account.keys.set(record.keyId, record);
        this.#bySecret.set(record.secret, record);
      }
      this.#accounts.set(account.id, account);
      this.#byManagementKey.set(account.managementKey, account);
    }
  }

  /** Names are unique within an account (the Router answers a duplicate with 409). */
  checkName(account: ManagedAccount, name: string | undefined, except?: ApiKeyRecord): void {
    if (!name) return;
    for (const k of account.keys.values()) {
      if (k !== except && k.name === name) throw new ApiError('duplicate_name', `an API key named "${name}" already exists in this account`);
    }
  }
}

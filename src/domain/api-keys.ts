import { ApiError } from '../errors.js';
import { isoMs } from '../lib/clock.js';
import type { TrustModeName } from '../providers/types.js';
import type { ApiKeyItemBody, CreateApiKeyBody, CreateApiKeyResponseBody, UpdateApiKeyBody } from '../schemas/api-keys.js';
import { parseDecimal } from './billing.js';
import { parseExpiration, type AccountRegistry, type ApiKeyRecord, type ManagedAccount } from './accounts.js';
import { usedNow } from './key-restrictions.js';
import type { ControlState } from '../state/control.js';
import type { KeySpendState, LedgerStore } from '../state/types.js';
import { ACCOUNTS_DOC } from '../state/control-kinds.js';

type KeyStatus = ApiKeyItemBody['status'];

/** Base units as the decimal the Router's key shapes use ("1.5" 0G). */
export function formatDecimal(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const frac = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / scale}${frac ? `.${frac}` : ''}`;
}

export function keyStatus(record: ApiKeyRecord, nowMs: number): KeyStatus {
  if (record.revoked) return 'revoked';
  return record.expiresMs !== undefined && nowMs >= record.expiresMs ? 'expired' : 'active';
}

/** The Router's key item: never the secret, only its preview (`sk-abcde…`). */
export function keyItem(account: ManagedAccount, record: ApiKeyRecord, nowMs: number, spend: KeySpendState | undefined): ApiKeyItemBody {
  const decimals = account.currency === 'usd' ? 6 : 18;
  const { restrictions: r } = record;
  const item: ApiKeyItemBody = {
    key_id: record.keyId,
    key_preview: `${record.secret.slice(0, 8)}…`,
    name: record.name,
    status: keyStatus(record, nowMs),
    revoked: record.revoked,
    allowed_models: [...r.allowedModels],
    allowed_providers: [...r.allowedProviders],
    used: formatDecimal(usedNow(spend, record.resetPeriod, nowMs), decimals),
    currency: account.currency,
    reset_period: record.resetPeriod,
    created_at: isoMs(record.createdMs),
  };
  if (r.creditLimit !== undefined) item.credit_limit = formatDecimal(r.creditLimit, decimals);
  if (r.trustMode !== undefined) item.trust_mode = r.trustMode;
  if (record.expiresMs !== undefined) item.expires_at = isoMs(record.expiresMs);
  return item;
}

/**
 * `/v1/api-keys` for one account: list, create (secret shown once), sparse
 * update, revoke. Changes go through the control state (shared by replicas),
 * so each looks its account up again inside the change: a change may be made
 * again on a fresh copy when another process wrote first.
 */
export class ApiKeyService {
  constructor(
    private readonly registry: AccountRegistry,
    private readonly control: ControlState,
    private readonly ledger: LedgerStore,
    private readonly nowMs: () => number,
  ) {}

  async list(account: ManagedAccount, status: string | undefined): Promise<ApiKeyItemBody[]> {
    const nowMs = this.nowMs();
    const records = [...account.keys.values()];
    const spends = await Promise.all(records.map((k) => this.ledger.keySpend(k.keyId)));
    const items = records.map((k, i) => keyItem(account, k, nowMs, spends[i]));
    return !status || status === 'all' ? items : items.filter((i) => i.status === status);
  }

  async create(account: ManagedAccount, request: CreateApiKeyBody): Promise<CreateApiKeyResponseBody> {
    const { owner, record } = await this.control.change(ACCOUNTS_DOC, () => {
      const owner = this.#account(account.id);
      return { owner, record: this.registry.addKey(owner, request) };
    });
    return { ...keyItem(owner, record, this.nowMs(), undefined), key: record.secret };
  }

  #account(id: string): ManagedAccount {
    const account = this.registry.account(id);
    if (!account) throw new ApiError('invalid_api_key', 'Invalid management key');
    return account;
  }

  /** Another account's key is as unknown as a key that never existed: 404. */
  #find(accountId: string, keyId: string): { owner: ManagedAccount; record: ApiKeyRecord } {
    const owner = this.#account(accountId);
    const record = owner.keys.get(keyId);
    if (!record) throw new ApiError('api_key_not_found');
    return { owner, record };
  }

  async update(account: ManagedAccount, keyId: string, patch: UpdateApiKeyBody): Promise<ApiKeyItemBody> {
    const { owner, record } = await this.control.change(ACCOUNTS_DOC, () => {
      const found = this.#find(account.id, keyId);
      const { owner, record } = found;
      if (record.revoked) throw new ApiError('key_revoked');
      // Validate everything before changing anything: a rejected PATCH leaves the key as it was.
      if (patch.name !== undefined) this.registry.checkName(owner, patch.name, record);
      const expiresMs = patch.expiration === undefined ? record.expiresMs : parseExpiration(patch.expiration);
      const decimals = owner.currency === 'usd' ? 6 : 18;
      const r = record.restrictions;
      if (patch.name !== undefined) record.name = patch.name;
      record.expiresMs = expiresMs;
      if (patch.allowed_models !== undefined) r.allowedModels = patch.allowed_models;
      if (patch.allowed_providers !== undefined) r.allowedProviders = patch.allowed_providers.map((a) => a.toLowerCase());
      if (patch.credit_limit !== undefined) r.creditLimit = patch.credit_limit === '' ? undefined : parseDecimal(patch.credit_limit, decimals);
      if (patch.trust_mode !== undefined) r.trustMode = (patch.trust_mode || undefined) as TrustModeName | undefined;
      if (patch.reset_period !== undefined) record.resetPeriod = patch.reset_period || 'never';
      return found;
    });
    return keyItem(owner, record, this.nowMs(), await this.ledger.keySpend(record.keyId));
  }

  /** Revoking twice is not an error: the key is revoked either way. */
  async revoke(account: ManagedAccount, keyId: string): Promise<{ key_id: string; message: string }> {
    return this.control.change(ACCOUNTS_DOC, () => {
      const { record } = this.#find(account.id, keyId);
      record.revoked = true;
      return { key_id: record.keyId, message: 'API key revoked' };
    });
  }
}

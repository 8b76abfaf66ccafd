import { ApiError } from '../errors.js';
import { isoMs } from '../lib/clock.js';
import type { TrustModeName } from '../providers/types.js';
import type { ApiKeyItemBody, CreateApiKeyBody, CreateApiKeyResponseBody, UpdateApiKeyBody } from '../schemas/api-keys.js';
import { parseDecimal } from './billing.js';
import { parseExpiration, type AccountRegistry, type ApiKeyRecord, type ManagedAccount } from './accounts.js';
import { periodStartMs, usedNow } from './key-restrictions.js';

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
export function keyItem(account: ManagedAccount, record: ApiKeyRecord, nowMs: number): ApiKeyItemBody {
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
    used: formatDecimal(usedNow(record.spend, nowMs), decimals),
    currency: account.currency,
    reset_period: record.spend.resetPeriod,
    created_at: isoMs(record.createdMs),
  };
  if (r.creditLimit !== undefined) item.credit_limit = formatDecimal(r.creditLimit, decimals);
  if (r.trustMode !== undefined) item.trust_mode = r.trustMode;
  if (record.expiresMs !== undefined) item.expires_at = isoMs(record.expiresMs);
  return item;
}

/** `/v1/api-keys` for one account: list, create (secret shown once), sparse update, revoke. */
export class ApiKeyService {
  constructor(
    private readonly registry: AccountRegistry,
    private readonly nowMs: () => number,
  ) {}

  list(account: ManagedAccount, status: string | undefined): ApiKeyItemBody[] {
    const nowMs = this.nowMs();
    const items = [...account.keys.values()].map((k) => keyItem(account, k, nowMs));
    return !status || status === 'all' ? items : items.filter((i) => i.status === status);
  }

  create(account: ManagedAccount, request: CreateApiKeyBody): CreateApiKeyResponseBody {
    const record = this.registry.addKey(account, request);
    return { ...keyItem(account, record, this.nowMs()), key: record.secret };
  }

  /** Another account's key is as unknown as a key that never existed: 404. */
  #find(account: ManagedAccount, keyId: string): ApiKeyRecord {
    const record = account.keys.get(keyId);
    if (!record) throw new ApiError('api_key_not_found');
    return record;
  }

  update(account: ManagedAccount, keyId: string, patch: UpdateApiKeyBody): ApiKeyItemBody {
    const record = this.#find(account, keyId);
    if (record.revoked) throw new ApiError('key_revoked');
    const nowMs = this.nowMs();
    // Validate everything before changing anything: a rejected PATCH leaves the key as it was.
    if (patch.name !== undefined) this.registry.checkName(account, patch.name, record);
    const expiresMs = patch.expiration === undefined ? record.expiresMs : parseExpiration(patch.expiration);
    const decimals = account.currency === 'usd' ? 6 : 18;
    const r = record.restrictions;
    if (patch.name !== undefined) record.name = patch.name;
    record.expiresMs = expiresMs;
    if (patch.allowed_models !== undefined) r.allowedModels = patch.allowed_models;
    if (patch.allowed_providers !== undefined) r.allowedProviders = patch.allowed_providers.map((a) => a.toLowerCase());
    if (patch.credit_limit !== undefined) r.creditLimit = patch.credit_limit === '' ? undefined : parseDecimal(patch.credit_limit, decimals);
    if (patch.trust_mode !== undefined) r.trustMode = (patch.trust_mode || undefined) as TrustModeName | undefined;
    if (patch.reset_period !== undefined) {
      record.spend.resetPeriod = patch.reset_period || 'never';
      record.spend.periodStartMs = periodStartMs(record.spend.resetPeriod, nowMs);
    }
    return keyItem(account, record, nowMs);
  }

  /** Revoking twice is not an error: the key is revoked either way. */
  revoke(account: ManagedAccount, keyId: string): { key_id: string; message: string } {
    const record = this.#find(account, keyId);
    record.revoked = true;
    return { key_id: record.keyId, message: 'API key revoked' };
  }
}

import { splitList, type Config } from '../config.js';
import { ApiError } from '../errors.js';
import { keyIdOf } from '../lib/ids.js';
import type { AccountRegistry, ApiKeyRecord, ManagedAccount } from './accounts.js';
import type { Currency } from './billing.js';

export interface AuthContext {
  apiKey: string;
  /** Safe to log and show: a hash prefix, never the key. */
  keyId: string;
  /** The ledger account the key spends from: the key's own id, or its managed account's `acct_…`. */
  accountId: string;
  currency: Currency;
  /** Present for keys of managed accounts: restrictions and spend. */
  key?: ApiKeyRecord;
}

export interface AuthPolicy {
  /** null: any `sk-` key is accepted (a sandbox needs no sign-up). */
  allowed: ReadonlySet<string> | null;
  /** Mutable: the control plane revokes and restores keys at run time. */
  revoked: Set<string>;
  usd: ReadonlySet<string>;
}

export function authPolicy(config: Pick<Config, 'apiKeys' | 'revokedApiKeys' | 'usdApiKeys'>): AuthPolicy {
  const allowed = splitList(config.apiKeys);
  return {
    allowed: allowed.length ? new Set(allowed) : null,
    revoked: new Set(splitList(config.revokedApiKeys)),
    usd: new Set(splitList(config.usdApiKeys)),
  };
}

const BEARER = /^Bearer +(\S{1,512})$/i;

function bearer(header: string | undefined, expected: string): string {
  if (header === undefined || header.trim() === '') throw new ApiError('missing_authorization');
  const token = BEARER.exec(header.trim())?.[1];
  if (!token) throw new ApiError('invalid_api_key', `Malformed Authorization header; expected "Bearer ${expected}-..."`);
  return token;
}

/**
 * Inference-route authentication, in the Router's order of checks (contract
 * §0.2-4, §2). A key of a managed account spends from that account; any
 * other `sk-` key is its own account, as before accounts existed.
 */
export function authenticate(header: string | undefined, policy: AuthPolicy, registry?: AccountRegistry, nowMs = 0): AuthContext {
  const token = bearer(header, 'sk');
  if (token.startsWith('mk-')) throw new ApiError('insufficient_scope');
  const record = registry?.apiKey(token);
  if (record) {
    if (record.revoked) throw new ApiError('api_key_revoked');
    if (record.expiresMs !== undefined && nowMs >= record.expiresMs) throw new ApiError('invalid_api_key', 'API key has expired');
    const account = registry!.account(record.accountId)!;
    return { apiKey: token, keyId: record.keyId, accountId: account.id, currency: account.currency, key: record };
  }
  if (policy.revoked.has(token)) throw new ApiError('api_key_revoked');
  if (!token.startsWith('sk-')) throw new ApiError('invalid_api_key', 'Invalid API key; inference keys start with "sk-"');
  if (policy.allowed && !policy.allowed.has(token)) throw new ApiError('invalid_api_key');
  const keyId = keyIdOf(token);
  return { apiKey: token, keyId, accountId: keyId, currency: policy.usd.has(token) ? 'usd' : '0g' };
}

/**
 * Account and key-management routes take only a management key (contract
 * §2): an `sk-` key is 403 `insufficient_scope`, as is a management key
 * without the scope the route needs.
 */
export function authenticateManagement(header: string | undefined, registry: AccountRegistry, scope: string): ManagedAccount {
  const token = bearer(header, 'mk');
  if (!token.startsWith('mk-')) {
    if (token.startsWith('sk-')) throw new ApiError('insufficient_scope', 'this credential is not allowed to access account endpoints');
    throw new ApiError('invalid_api_key', 'Invalid management key; management keys start with "mk-"');
  }
  const account = registry.byManagementKey(token);
  if (!account) throw new ApiError('invalid_api_key', 'Invalid management key');
  if (!account.scopes.has(scope as never)) throw new ApiError('insufficient_scope', `this management key lacks the ${scope} scope`);
  return account;
}

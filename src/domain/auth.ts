import { splitList, type Config } from '../config.js';
import { ApiError } from '../errors.js';
import { keyIdOf } from '../lib/ids.js';
import type { Currency } from './billing.js';

export interface AuthContext {
  apiKey: string;
  /** Safe to log and show: a hash prefix, never the key. */
  keyId: string;
  currency: Currency;
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

/** Inference-route authentication, in the Router's order of checks (contract §0.2-4, §2). */
export function authenticate(header: string | undefined, policy: AuthPolicy): AuthContext {
  if (header === undefined || header.trim() === '') throw new ApiError('missing_authorization');
  const token = BEARER.exec(header.trim())?.[1];
  if (!token) throw new ApiError('invalid_api_key', 'Malformed Authorization header; expected "Bearer sk-..."');
  if (token.startsWith('mk-')) throw new ApiError('insufficient_scope');
  if (policy.revoked.has(token)) throw new ApiError('api_key_revoked');
  if (!token.startsWith('sk-')) throw new ApiError('invalid_api_key', 'Invalid API key; inference keys start with "sk-"');
  if (policy.allowed && !policy.allowed.has(token)) throw new ApiError('invalid_api_key');
  return { apiKey: token, keyId: keyIdOf(token), currency: policy.usd.has(token) ? 'usd' : '0g' };
}

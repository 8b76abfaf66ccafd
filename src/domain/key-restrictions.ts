import { ApiError } from '../errors.js';
import type { TrustModeName } from '../providers/types.js';
import type { KeySpendState } from '../state/types.js';

/**
 * What an API key may do (CreateAPIKeyRequest, contract §2). Amounts are in
 * the account's base unit (neuron, or micro-USD for USD accounts). Empty
 * allowlists mean no restriction, as the Router's key item says.
 */
export interface KeyRestrictions {
  allowedModels: readonly string[];
  allowedProviders: readonly string[];
  creditLimit: bigint | undefined;
  trustMode: TrustModeName | undefined;
}

export type ResetPeriod = 'never' | 'daily' | 'weekly' | 'monthly';


const DAY_MS = 86_400_000;

/** The start (UTC) of the period `atMs` falls in: days, ISO weeks (Monday), calendar months. */
export function periodStartMs(period: ResetPeriod, atMs: number): number {
  if (period === 'never') return 0;
  const day = Math.floor(atMs / DAY_MS) * DAY_MS;
  if (period === 'daily') return day;
  if (period === 'weekly') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const d = new Date(atMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** What the key has spent in the current period (a new period starts from zero; the ledger store keeps the spend). */
export function usedNow(spend: KeySpendState | undefined, resetPeriod: ResetPeriod, nowMs: number): bigint {
  if (!spend) return 0n;
  return periodStartMs(resetPeriod, nowMs) > spend.periodStartMs ? 0n : spend.used;
}

/**
 * Admission for a key, the Router's way for an account (contract §0.27):
 * what is left of the credit limit must cover min_cost. A request priced above
 * what is left still runs, as a balance may go below zero.
 */
export function admitKey(restrictions: KeyRestrictions, usedNowAmount: bigint, minCost: bigint): void {
  const limit = restrictions.creditLimit;
  if (limit === undefined) return;
  if (limit - usedNowAmount < minCost) {
    throw new ApiError('insufficient_balance', 'API key credit limit reached: the remaining credit of this key cannot cover the minimum request cost');
  }
}

/** The model allowlist: a key may only call the models it names. */
export function checkModelAllowed(restrictions: KeyRestrictions, modelId: string): void {
  if (restrictions.allowedModels.length && !restrictions.allowedModels.includes(modelId)) {
    throw new ApiError('access_denied', `this API key is not allowed to use model ${modelId} (allowed_models: ${restrictions.allowedModels.join(', ')})`);
  }
}

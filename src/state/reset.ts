import { keyIdOf } from '../lib/ids.js';
import type { Services } from '../services.js';
import { ACCOUNTS_DOC, HEALTH_DOC, REVOKED_DOC } from './control-kinds.js';

export interface ResetScope {
  /** The key whose journal, report and fault rules go. */
  keyId: string;
  /** The account whose jobs, ledger and rate window go (the key's own id for a plain key). */
  accountId: string;
}

/**
 * The one owner of POST /_emulator/reset: every store, every kind of control
 * state, in one place, so a new kind of state cannot be forgotten by one of
 * several reset paths. Without a scope, everything, including accounts,
 * revocations and provider health; with one, that key's and account's state.
 */
export async function resetState(services: Services, scope?: ResetScope): Promise<void> {
  const { jobs, ledger, faults, journal, reports, control } = services;
  await jobs.reset(scope?.accountId);
  const managed = scope && services.accounts.account(scope.accountId);
  await ledger.store.reset(scope?.accountId, managed ? [...managed.keys.keys()] : scope ? [scope.keyId] : undefined);
  await services.rateLimiter?.reset(scope?.accountId);
  await faults.clear(scope?.keyId);
  await journal.clear(scope?.keyId);
  await reports.reset(scope?.keyId);
  if (!scope) {
    await control.load({ [HEALTH_DOC]: undefined, [ACCOUNTS_DOC]: undefined, [REVOKED_DOC]: undefined });
    return;
  }
  await control.change(REVOKED_DOC, () => {
    for (const k of services.auth.revoked) if (keyIdOf(k) === scope.keyId) services.auth.revoked.delete(k);
  });
}

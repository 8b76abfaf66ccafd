import type { AccountRegistry } from '../domain/accounts.js';
import type { FaultRules } from '../domain/fault-rules.js';
import type { ProviderHealth } from '../domain/provider-health.js';
import type { Clock } from '../lib/clock.js';
import { ManualClock } from '../lib/clock.js';
import type { ControlKind, ControlState } from './control.js';
import type { Json } from './types.js';

export const ACCOUNTS_DOC = 'accounts';
export const REVOKED_DOC = 'revoked';
export const FAULTS_DOC = 'faults';
export const HEALTH_DOC = 'health';
export const CLOCK_DOC = 'clock';

export interface ControlObjects {
  accounts: AccountRegistry;
  /** REVOKED_API_KEYS plus keys revoked at run time. */
  revoked: Set<string>;
  initialRevoked: readonly string[];
  faults: FaultRules;
  health: ProviderHealth;
  clock: Clock;
}

/** Registers every kind of control state with its document. */
export function registerControlKinds(control: ControlState, o: ControlObjects): void {
  const kinds: ControlKind[] = [
    { name: ACCOUNTS_DOC, toJson: () => o.accounts.toJson(), fromJson: (j) => o.accounts.fromJson(j) },
    {
      name: REVOKED_DOC,
      toJson: () => [...o.revoked],
      fromJson: (j) => {
        o.revoked.clear();
        for (const key of j === undefined ? o.initialRevoked : (j as string[])) o.revoked.add(key);
      },
    },
    { name: FAULTS_DOC, toJson: () => o.faults.toJson(), fromJson: (j) => o.faults.fromJson(j) },
    { name: HEALTH_DOC, toJson: () => o.health.toJson(), fromJson: (j) => o.health.fromJson(j) },
  ];
  const clock = o.clock;
  if (clock instanceof ManualClock) {
    // The shared manual clock only moves forward: a process that sees a later time catches up (its timers
    // fire on the way). A process joining adopts the shared time, whichever is later.
    let joined = false;
    kinds.push({
      name: CLOCK_DOC,
      toJson: () => ({ nowMs: clock.nowMs() }),
      fromJson: (j: Json | undefined) => {
        const nowMs = (j as { nowMs?: number } | undefined)?.nowMs;
        if (nowMs === undefined) return;
        if (!joined) clock.adopt(nowMs);
        else if (nowMs > clock.nowMs()) clock.set(nowMs);
        joined = true;
      },
    });
  }
  for (const kind of kinds) control.register(kind);
}

import type { Static } from 'typebox';
import { ApiError } from '../errors.js';
import { isoMs } from '../lib/clock.js';
import type { StateDump } from '../schemas/emulator.js';
import type { Services } from '../services.js';
import type { ResetScope } from './reset.js';
import type { Json } from './types.js';
import { StateUnavailableError } from './unavailable.js';

export type StateDumpBody = Static<typeof StateDump>;
const FORMAT = '0g-router-emulator/state@1' as const;

/**
 * GET /_emulator/state: every store's dump in one document, the same format
 * from memory and Redis, so a test can capture a state and start from it
 * again (PUT), on either backend. A key's scope narrows it to that key's
 * account and records; control state (accounts, rules, health, clock) is
 * global and only in a full dump.
 */
export async function exportState(services: Services, scope?: ResetScope): Promise<StateDumpBody> {
  const { state } = services;
  const accountScope = scope?.accountId;
  const keyScope = scope?.keyId;
  const dump: StateDumpBody = {
    format: FORMAT,
    backend: state.kind,
    exported_at: isoMs(services.clock.nowMs()),
    ledger: await state.ledger.dump(accountScope),
    jobs: await state.jobs.dump(accountScope),
    // The stores' dumps are checked against these schemas when loaded (schemas/state-dumps.ts).
    journal: (await state.journal.dump(keyScope)) as StateDumpBody['journal'],
    reports: (await state.reports.dump(keyScope)) as StateDumpBody['reports'],
    rate_windows: (await state.rates.dump(accountScope)) as StateDumpBody['rate_windows'],
  };
  if (scope) return { ...dump, scope: { key_id: scope.keyId, account_id: scope.accountId } };
  return { ...dump, control: services.control.dump(), fault_counters: (await state.faultCounters.dump()) as StateDumpBody['fault_counters'] };
}

/**
 * PUT /_emulator/state: loads a dump on top of the current state (entries
 * with the same ids are replaced; control documents present are replaced
 * wholesale). A dump that does not fit is a 400 naming the part.
 */
export async function importState(services: Services, dump: StateDumpBody): Promise<{ imported: string[] }> {
  const { state } = services;
  const imported: string[] = [];
  const part = async (name: string, value: unknown, load: (json: Json) => Promise<void>) => {
    if (value === undefined) return;
    try {
      await load(value as Json);
    } catch (err) {
      if (err instanceof StateUnavailableError || err instanceof ApiError) throw err;
      throw new ApiError('invalid_body', `state dump: ${name} could not be loaded (${(err as Error).message})`);
    }
    imported.push(name);
  };
  // Counters before the rules they count, so no process sees a rule without its counts.
  await part('fault_counters', dump.fault_counters, (json) => state.faultCounters.load(json));
  await part('control', dump.control, (json) => services.control.load(json as Record<string, Json>));
  await part('ledger', dump.ledger, (json) => state.ledger.load(json));
  await part('jobs', dump.jobs, (json) => state.jobs.load(json));
  await part('journal', dump.journal, (json) => state.journal.load(json));
  await part('reports', dump.reports, (json) => state.reports.load(json));
  await part('rate_windows', dump.rate_windows, (json) => state.rates.load(json));
  // Imported jobs may be due already.
  await services.jobs.settleDue();
  return { imported };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseDecimal } from '../domain/billing.js';
import { clientReport } from '../domain/console-view.js';
import { ApiError } from '../errors.js';
import { isoMs } from '../lib/clock.js';
import { keyIdOf } from '../lib/ids.js';
import { errorResponses } from '../schemas/common.js';
import { AccountAction, Free, JournalQuery, KeyQuery, LedgerView, ResetBody, StateDump, StateQuery } from '../schemas/emulator.js';
import type { Services } from '../services.js';
import { ACCOUNTS_DOC, REVOKED_DOC } from '../state/control-kinds.js';
import { resetState, type ResetScope } from '../state/reset.js';
import { exportState, importState } from '../state/transfer.js';

const tags = ['emulator'];
const MAX_REVOKED_KEYS = 10_000;
/** A full dump of 100k jobs and 10k accounts is tens of MB; imports beyond this are refused with 413. */
const STATE_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** Control plane, part two: what happened, per key, and starting over. */
export const emulatorStateRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { ledger, auth } = services;
  // A managed account's key shows (and changes) the account it spends from.
  const accountIdOf = (key: string) => services.accounts.apiKey(key)?.accountId ?? keyIdOf(key);
  const scopeOf = (key: string): ResetScope => ({ keyId: keyIdOf(key), accountId: accountIdOf(key) });
  const revoked = (key: string) => services.accounts.apiKey(key)?.revoked ?? auth.revoked.has(key);
  const view = async (key: string) => {
    // Jobs due by now are billed before a balance is shown.
    await services.jobs.settleDue();
    const account = await ledger.record(accountIdOf(key));
    return {
      key_id: account.accountId,
      currency: account.currency,
      balance: account.balance.toString(),
      spent: account.spent.toString(),
      revoked: revoked(key),
      charge_count: account.chargeCount,
      dropped_charges: account.droppedCharges,
      charges: account.recent.map((c) => ({
        request_id: c.requestId,
        ...(c.jobId ? { job_id: c.jobId } : {}),
        model: c.model,
        provider: c.provider,
        images: c.images,
        amount_neuron: c.amountNeuron.toString(),
        amount: c.amount.toString(),
        at: isoMs(c.atMs),
      })),
    };
  };

  app.get(
    '/_emulator/ledger',
    {
      schema: {
        operationId: 'getLedger',
        tags,
        summary: "A key's balance and every charge (request id or job id, model, provider, neuron amount)",
        querystring: KeyQuery,
        response: { 200: LedgerView, ...errorResponses(400, 401) },
      },
    },
    async (req) => view(req.query.key),
  );

  app.post(
    '/_emulator/accounts',
    {
      schema: {
        operationId: 'changeAccount',
        tags,
        summary: 'Top up, drain or set a balance (amount in 0G, or USD for USD accounts); revoke or restore a key',
        body: AccountAction,
        response: { 200: LedgerView, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const { key, action, amount } = req.body;
      const accountId = accountIdOf(key);
      const currency = ledger.currencyOf(accountId);
      const units = () => {
        if (amount === undefined) throw new ApiError('bad_request', `${action} needs an amount`);
        return parseDecimal(amount, currency === 'usd' ? 6 : 18);
      };
      if (action === 'top_up') await ledger.change(accountId, { kind: 'top_up', amount: units() });
      else if (action === 'set_balance') await ledger.change(accountId, { kind: 'set', amount: units() });
      else if (action === 'drain') await ledger.change(accountId, { kind: 'drain' });
      else if (services.accounts.apiKey(key)) {
        await services.control.change(ACCOUNTS_DOC, () => {
          const record = services.accounts.apiKey(key);
          if (record) record.revoked = action === 'revoke';
        });
      } else {
        await services.control.change(REVOKED_DOC, () => {
          if (action === 'restore') auth.revoked.delete(key);
          else {
            if (auth.revoked.size >= MAX_REVOKED_KEYS && !auth.revoked.has(key)) throw new ApiError('bad_request', `at most ${MAX_REVOKED_KEYS} keys can be revoked; restore some or reset`);
            auth.revoked.add(key);
          }
        });
      }
      return view(key);
    },
  );

  app.get(
    '/_emulator/requests',
    {
      schema: {
        operationId: 'listRequests',
        tags,
        summary: 'The request journal (bounded ring buffer; `dropped` says how many entries it lost)',
        querystring: JournalQuery,
        response: { 200: Free('Journal'), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const q = req.query;
      const entries = await services.journal.query({
        ...(q.key ? { keyId: keyIdOf(q.key) } : {}),
        ...(q.route ? { route: q.route } : {}),
        ...(q.job ? { jobId: q.job } : {}),
        ...(q.since ? { sinceMs: Date.parse(q.since) } : {}),
        ...(q.limit ? { limit: Number(q.limit) } : {}),
      });
      return { object: 'list', capacity: services.journal.capacity, dropped: await services.journal.dropped(), data: entries };
    },
  );

  app.get(
    '/_emulator/report',
    {
      schema: {
        operationId: 'clientReport',
        tags,
        summary: "What a key's client did that it should not: early polls, abandoned jobs, retried submits and their cost, deprecated fields, polls of expired jobs",
        querystring: KeyQuery,
        response: { 200: Free('ClientReport'), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const keyId = keyIdOf(req.query.key);
      const accountId = accountIdOf(req.query.key);
      return { key_id: keyId, currency: ledger.currencyOf(accountId), ...(await clientReport(services, keyId, accountId)) };
    },
  );

  app.post(
    '/_emulator/reset',
    {
      schema: {
        operationId: 'reset',
        tags,
        summary: 'Forget jobs, ledger, rate-limit window, fault rules, journal and report: of one key, or everything (then provider health too)',
        body: ResetBody,
        response: { 200: Free('ResetResult'), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const key = req.body?.key;
      if (key !== undefined && req.body?.key_id !== undefined) throw new ApiError('bad_request', 'give key or key_id, not both');
      const keyId = key === undefined ? req.body?.key_id : keyIdOf(key);
      const accountId = key === undefined ? keyId : accountIdOf(key);
      await resetState(services, keyId === undefined ? undefined : { keyId, accountId: accountId! });
      return { reset: keyId ?? 'all' };
    },
  );

  app.get(
    '/_emulator/state',
    {
      schema: {
        operationId: 'exportState',
        tags,
        summary: "All state (or one key's) as JSON: the same format from memory and Redis, for PUT /_emulator/state",
        querystring: StateQuery,
        response: { 200: StateDump, ...errorResponses(400, 401) },
      },
    },
    async (req) => exportState(services, req.query.key === undefined ? undefined : scopeOf(req.query.key)),
  );

  app.put(
    '/_emulator/state',
    {
      bodyLimit: STATE_BODY_LIMIT_BYTES,
      schema: {
        operationId: 'importState',
        tags,
        summary: 'Load a state dump (GET /_emulator/state) on top of the current state: a test starts from known balances, jobs and rules',
        body: StateDump,
        response: { 200: Free('StateImported'), ...errorResponses(400, 401, 413) },
      },
    },
    async (req) => importState(services, req.body),
  );
};

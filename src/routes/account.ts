import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BalanceResponse,
  DailyUsageQuery,
  DailyUsageResponse,
  FundsResponse,
  UsageHistoryQuery,
  UsageHistoryResponse,
  UsageStatsQuery,
  UsageStatsResponse,
} from '../schemas/accounts.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';
import { decorateManaged, MANAGEMENT_SECURITY, managementGate } from './management-gate.js';

const tags = ['account'];
const ERRORS = errorResponses(400, 401, 403);

/** The Router's account API (management key, scope account:read), over the same ledger the traces report. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  decorateManaged(app);
  const { accountApi } = services;
  const gate = managementGate(services, 'account:read');
  const common = { tags, security: MANAGEMENT_SECURITY };

  app.get(
    '/v1/account/usage/history',
    {
      onRequest: gate,
      schema: {
        ...common,
        operationId: 'getUsageHistory',
        summary: 'Usage history, newest first: one row per charge (async jobs as async-<8 chars of provider>-<jobId>)',
        querystring: UsageHistoryQuery,
        response: { 200: UsageHistoryResponse, ...ERRORS },
      },
    },
    async (req) => accountApi.history(req.managed!, req.query),
  );
  app.get(
    '/v1/account/usage/daily',
    {
      onRequest: gate,
      schema: {
        ...common,
        operationId: 'getDailyUsage',
        summary: 'Usage per UTC day and model (and trust tier with dimensions=trust_mode)',
        querystring: DailyUsageQuery,
        response: { 200: DailyUsageResponse, ...ERRORS },
      },
    },
    async (req) => accountApi.daily(req.managed!, req.query),
  );
  app.get(
    '/v1/account/usage/stats',
    {
      onRequest: gate,
      schema: {
        ...common,
        operationId: 'getUsageStats',
        summary: 'Request count and total cost, optionally filtered',
        querystring: UsageStatsQuery,
        response: { 200: UsageStatsResponse, ...ERRORS },
      },
    },
    async (req) => accountApi.stats(req.managed!, req.query),
  );
  app.get(
    '/v1/account/funds',
    {
      onRequest: gate,
      schema: {
        ...common,
        operationId: 'getFunds',
        summary: 'Unified funds: Router ledger (deposit, credit, pending_charge) plus the Payment Layer vault (always 0 here)',
        response: { 200: FundsResponse, ...errorResponses(401, 403) },
      },
    },
    async (req) => accountApi.funds(req.managed!),
  );
  app.get(
    '/v1/account/balance',
    {
      onRequest: gate,
      schema: {
        ...common,
        operationId: 'getBalance',
        summary: 'Router ledger balance only (deposit + credit, never below 0)',
        response: { 200: BalanceResponse, ...errorResponses(401, 403) },
      },
    },
    async (req) => accountApi.balance(req.managed!),
  );
};

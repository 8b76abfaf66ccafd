import { ACCOUNTS_DOC } from '../state/control-kinds.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AccountSpecSchema, CreatedAccount } from '../schemas/accounts.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';

/** Control plane, part three: accounts that own keys, made at run time (the config file declares them at start). */
export const emulatorAccountRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/_emulator/managed-accounts',
    {
      schema: {
        operationId: 'createManagedAccount',
        tags: ['emulator'],
        summary: 'Create an account with a management key (generated unless given) and optional API keys; at most MAX_ACCOUNTS',
        body: AccountSpecSchema,
        response: { 201: CreatedAccount, ...errorResponses(400) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await services.control.change(ACCOUNTS_DOC, () => services.accounts.describe(services.accounts.create(req.body)))),
  );
};

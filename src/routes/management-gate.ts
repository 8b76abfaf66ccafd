import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ManagedAccount } from '../domain/accounts.js';
import { authenticateManagement } from '../domain/auth.js';
import type { ManagementScopeName } from '../schemas/accounts.js';
import type { Services } from '../services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The account a management key belongs to, on account and key-management routes. */
    managed: ManagedAccount | null;
  }
}

export const MANAGEMENT_SECURITY = [{ ManagementKeyAuth: [] }];

/** Call once in the plugin that registers management routes. */
export function decorateManaged(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('managed')) app.decorateRequest('managed', null);
}

/** The gate in front of account and key-management routes: an `mk-` key with `scope` (contract §2). */
export function managementGate(services: Services, scope: ManagementScopeName): onRequestAsyncHookHandler {
  return async (req) => {
    req.managed = authenticateManagement(req.headers.authorization, services.accounts, scope);
  };
}

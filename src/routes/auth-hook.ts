import type { onRequestAsyncHookHandler } from 'fastify';
import { authenticate } from '../domain/auth.js';
import type { Services } from '../services.js';

/** Runs before the body is read, so an unauthenticated caller learns nothing about its body. */
export function requireApiKey(services: Services): onRequestAsyncHookHandler {
  return async (req) => {
    req.auth = authenticate(req.headers.authorization, services.auth);
  };
}

export const API_KEY_SECURITY = [{ ApiKeyAuth: [] }];

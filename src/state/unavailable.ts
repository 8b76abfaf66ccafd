/**
 * Thrown by every Redis-backed store when Redis does not answer (down,
 * unreachable, or slower than the command timeout). The HTTP layer turns it
 * into a 503 with Retry-After; the store is usable again once Redis is back.
 */
export class StateUnavailableError extends Error {
  constructor(reason: string) {
    super(`state store unavailable: ${reason}`);
    this.name = 'StateUnavailableError';
  }
}

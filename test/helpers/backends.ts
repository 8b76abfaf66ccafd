import type { Test } from 'tap';
import { RedisLink } from '../../src/state/redis/link.js';
import { startRedis, uniquePrefix, type RedisServer } from './redis.js';

export type BackendName = 'memory' | 'redis';

export interface BackendCase {
  name: BackendName;
  /** A fresh link with a prefix of its own (redis only; closed in teardown). */
  link(t: Test): Promise<RedisLink>;
  redis: RedisServer | undefined;
}

/**
 * Runs `suite` once per backend, so one behavioural test suite holds both
 * implementations to the same contract. One redis-server per test file.
 */
export function eachBackend(t: Test, name: string, suite: (t: Test, backend: BackendCase) => Promise<void>): void {
  t.test(`${name} (memory)`, (t) =>
    suite(t, { name: 'memory', redis: undefined, link: () => Promise.reject(new Error('no Redis link for the memory backend')) }),
  );
  t.test(`${name} (redis)`, async (t) => {
    const redis = await startRedis(t);
    await suite(t, {
      name: 'redis',
      redis,
      link: async (tt) => {
        const link = await RedisLink.open({ url: redis.url, prefix: uniquePrefix(name.replace(/\W+/g, '-')), commandTimeoutMs: 2000 });
        await link.connect();
        tt.teardown(() => link.close());
        return link;
      },
    });
  });
}

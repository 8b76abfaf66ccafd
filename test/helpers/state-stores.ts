import type { Test } from 'tap';
import { RedisLink } from '../../src/state/redis/link.js';
import type { BackendCase } from './backends.js';
import { uniquePrefix } from './redis.js';

/**
 * Two handles on one store, as two emulator processes would hold: the same
 * object for the memory backend, two links on one key prefix for Redis.
 */
export async function twoHandles<S>(t: Test, backend: BackendCase, memory: () => S, redis: (link: RedisLink) => S): Promise<[S, S]> {
  if (backend.name === 'memory') {
    const store = memory();
    return [store, store];
  }
  const prefix = uniquePrefix('shared');
  const open = async () => {
    const link = await RedisLink.open({ url: backend.redis!.url, prefix, commandTimeoutMs: 2000 });
    await link.connect();
    t.teardown(() => link.close());
    return redis(link);
  };
  return [await open(), await open()];
}

/** One store of the backend under test. */
export async function oneStore<S>(t: Test, backend: BackendCase, memory: () => S, redis: (link: RedisLink) => S): Promise<S> {
  return backend.name === 'memory' ? memory() : redis(await backend.link(t));
}

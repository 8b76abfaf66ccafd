import type { ControlDocs, VersionedDoc } from '../types.js';
import { slices } from './commands.js';
import { LuaScript, type RedisLink } from './link.js';

/*
 * Two hashes keyed by document name, `docs:version` and `docs:json`, and the
 * counter `docs:epoch`. As in the memory store, a version is the epoch its
 * write moved to, so versions never repeat, even across reset().
 */

// KEYS: version, json, epoch. ARGV: name, expected version, JSON text. Compare-and-set.
const WRITE = new LuaScript(`
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') ~= tonumber(ARGV[2]) then return 0 end
local version = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], version)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return version`);

// One snapshot of the documents' versions and texts.
const READ = new LuaScript(`return { redis.call('HMGET', KEYS[1], unpack(ARGV)), redis.call('HMGET', KEYS[2], unpack(ARGV)) }`);

const RESET = new LuaScript(`redis.call('DEL', KEYS[1], KEYS[2]) return redis.call('INCR', KEYS[3])`);

export class RedisControlDocs implements ControlDocs {
  readonly #keys: [version: string, json: string, epoch: string];

  constructor(private readonly link: RedisLink) {
    this.#keys = [link.key('docs', 'version'), link.key('docs', 'json'), link.key('docs', 'epoch')];
  }

  async epoch(): Promise<number> {
    return Number((await this.link.send<string | null>(['GET', this.#keys[2]])) ?? 0);
  }

  async read(names: readonly string[]): Promise<Map<string, VersionedDoc>> {
    const out = new Map<string, VersionedDoc>();
    for (const batch of slices(names)) {
      const [versions, texts] = await this.link.script<[(string | null)[], (string | null)[]]>(READ, this.#keys, batch);
      batch.forEach((name, i) => out.set(name, { version: Number(versions[i] ?? 0), json: texts[i] ?? undefined }));
    }
    return out;
  }

  async write(name: string, expectedVersion: number, json: string): Promise<number | undefined> {
    // Epochs start at 1, so 0 can only mean the compare failed.
    const version = await this.link.script<number>(WRITE, this.#keys, [name, expectedVersion, json]);
    return version === 0 ? undefined : version;
  }

  async reset(): Promise<void> {
    await this.link.script(RESET, this.#keys, []);
  }
}

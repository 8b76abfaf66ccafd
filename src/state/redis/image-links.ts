import { randomBytes } from 'node:crypto';
import type { ImageLinkStore } from '../types.js';
import { LuaScript, type RedisLink } from './link.js';

/*
 * One key per link with a Redis expiry, plus an insertion-ordered index and
 * a running byte total so the links stay within a count and a byte budget
 * across every replica: past either, the oldest links are dropped first.
 * (A link that expired by itself still counts until it is popped, so the
 * budget errs on the side of dropping early.)
 */
const PUT = new LuaScript(`
local order, sizes, total, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, json, size, ttl, maxLinks, maxBytes, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
redis.call('SET', prefix .. id, json, 'PX', ttl)
redis.call('ZADD', order, redis.call('INCR', seq), id)
redis.call('HSET', sizes, id, size)
local bytes = redis.call('INCRBY', total, size)
while bytes > maxBytes or redis.call('ZCARD', order) > maxLinks do
  local oldest = redis.call('ZPOPMIN', order)
  if #oldest == 0 then break end
  local gone = oldest[1]
  bytes = redis.call('INCRBY', total, 0 - tonumber(redis.call('HGET', sizes, gone) or '0'))
  redis.call('HDEL', sizes, gone)
  redis.call('DEL', prefix .. gone)
end
return bytes
`);

export class RedisImageLinkStore implements ImageLinkStore {
  #secret: Buffer | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly maxLinks = 10_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  async put(id: string, json: string, sizeBytes: number, ttlMs: number): Promise<void> {
    const { link } = this;
    const keys = [link.key('links', 'order'), link.key('links', 'sizes'), link.key('links', 'bytes'), link.key('links', 'seq')];
    await link.script(PUT, keys, [id, json, sizeBytes, Math.max(1, Math.round(ttlMs)), this.maxLinks, this.maxBytes, link.key('links', 'link', '')]);
  }

  async get(id: string): Promise<string | undefined> {
    return (await this.link.send<string | null>(['GET', this.link.key('links', 'link', id)])) ?? undefined;
  }

  /** Whichever process asks first makes it; every other adopts it. */
  async secret(): Promise<Buffer> {
    if (this.#secret) return this.#secret;
    const key = this.link.key('links', 'secret');
    await this.link.send(['SET', key, randomBytes(32).toString('hex'), 'NX']);
    this.#secret = Buffer.from((await this.link.send<string>(['GET', key])) ?? '', 'hex');
    return this.#secret;
  }
}

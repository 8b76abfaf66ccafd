import type { RedisLink } from './link.js';

/** Lua's unpack() takes a few thousand values at most: longer argument lists go in slices. */
export const ARGS_SLICE = 1000;

export function slices<T>(items: readonly T[], size = ARGS_SLICE): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** A HGETALL reply (field, value, field, value…) as a Map. */
export function pairs(flat: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i]!, flat[i + 1]!);
  return map;
}

/** Every key under `link.key(...parts, '*')`, by SCAN (control-plane reads and resets only: it walks the whole keyspace). */
export async function scanKeys(link: RedisLink, ...parts: string[]): Promise<string[]> {
  // The prefix and the parts are the caller's text: glob characters in them are matched literally.
  const pattern = `${link.key(...parts).replace(/[*?[\]\\]/g, '\\$&')}:*`;
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await link.send<[string, string[]]>(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000]);
    for (const k of batch) keys.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...keys];
}

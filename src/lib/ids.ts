import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

// The Router keeps a client's X-Request-ID only when it is short, plain and
// not in the `async-` namespace it reserves for job ids (contract §7, §6).
const CLIENT_REQUEST_ID = /^[A-Za-z0-9\-_.:]{1,64}$/;

export function acceptClientRequestId(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!CLIENT_REQUEST_ID.test(value) || value.startsWith('async-')) return undefined;
  return value;
}

/*
 * Ids outlive their request in job records, the ledger and the journal, so
 * they are made as flat strings: randomUUID() builds its string from ~20
 * concatenations, and V8 keeps every piece of such a rope alive (measured:
 * 19 rope nodes per retained job, a quarter of the heap at 100k jobs).
 */
const pool = Buffer.alloc(16 * 512);
let poolAt = pool.length;

/** 32 lowercase hex characters (16 random bytes), as the Router's job ids. */
export function newHexId(): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.toString('hex', poolAt - 16, poolAt);
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const uuidBytes = Buffer.alloc(36, '-', 'latin1');
// Where each of the 32 hex digits goes in the 36-character form.
const UUID_SLOTS = Array.from({ length: 32 }, (_, i) => i + (i >= 8 ? 1 : 0) + (i >= 12 ? 1 : 0) + (i >= 16 ? 1 : 0) + (i >= 20 ? 1 : 0));

/** A version-4 UUID, as a flat string: its ASCII written straight into a buffer, one string made from it. */
export function newRequestId(): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  for (let i = 0; i < 16; i++) {
    const byte = pool[poolAt + i]!;
    uuidBytes[UUID_SLOTS[2 * i]!] = HEX[byte >> 4]!;
    uuidBytes[UUID_SLOTS[2 * i + 1]!] = HEX[byte & 15]!;
  }
  uuidBytes[14] = 0x34; // '4': the version
  uuidBytes[19] = HEX[8 | ((pool[poolAt + 8]! >> 4) & 3)]!; // 8, 9, a or b: the variant
  poolAt += 16;
  return uuidBytes.toString('latin1');
}

/** A version-4 UUID made from 32 (or more) hex digits. */
export function uuidFromHex(hex: string): string {
  const variant = '89ab'[parseInt(hex[16]!, 16) & 3]!;
  return flat(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`);
}

/** An ASCII string copied into one flat string, so a long-lived value holds no rope of pieces. */
export function flat(ascii: string): string {
  return Buffer.from(ascii, 'latin1').toString('latin1');
}

const keyIds = new Map<string, string>();
const KEY_IDS_MAX = 10_000;

/** A stable, non-secret handle for an API key: safe to log and to show in traces. Memoised: every request needs it. */
export function keyIdOf(apiKey: string): string {
  let id = keyIds.get(apiKey);
  if (id === undefined) {
    id = flat(`key_${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`);
    if (keyIds.size >= KEY_IDS_MAX) keyIds.clear();
    keyIds.set(apiKey, id);
  }
  return id;
}

/** `0xAbCd…1234`: short enough for an image label, long enough to tell providers apart. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

export const ADDRESS_PATTERN = '^0x[0-9a-fA-F]{40}$';

/** Whether a presented secret (a token, a link signature) is the expected one, in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

import { ApiError } from '../errors.js';

/*
 * Readers for a state dump handed to `load` (PUT /_emulator/state): a dump is
 * client input, so every field is checked and a bad one is a 400 naming its
 * path, never a half-loaded store or a NaN balance.
 */
export type Obj = Record<string, unknown>;

export function bad(path: string, what: string): never {
  throw new ApiError('invalid_body', `state dump: ${path} must be ${what}`);
}

export function obj(v: unknown, path: string): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : bad(path, 'an object');
}

export function arr(v: unknown, path: string): unknown[] {
  return Array.isArray(v) ? v : bad(path, 'an array');
}

export function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : bad(`${path}.${key}`, 'a string');
}

export function optStr(o: Obj, key: string, path: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path);
}

export function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  return typeof v === 'boolean' ? v : bad(`${path}.${key}`, 'true or false');
}

/** A safe integer (times in ms may be negative before 1970; counts may not). */
export function int(o: Obj, key: string, path: string, min = 0): number {
  const v = o[key];
  return Number.isSafeInteger(v) && (v as number) >= min ? (v as number) : bad(`${path}.${key}`, `an integer >= ${min}`);
}

/** A bigint written as a decimal string. */
export function dec(o: Obj, key: string, path: string): bigint {
  const v = o[key];
  return typeof v === 'string' && /^-?\d{1,80}$/.test(v) ? BigInt(v) : bad(`${path}.${key}`, 'an integer as a decimal string');
}

export function oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[]): T {
  const v = o[key];
  return values.includes(v as T) ? (v as T) : bad(`${path}.${key}`, `one of ${values.join(', ')}`);
}

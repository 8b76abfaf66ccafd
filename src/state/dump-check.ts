import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { ApiError } from '../errors.js';

/** A dump checked against its schema: a hand-edited state file gets a 400 that says where it is wrong. */
export function checkDump<T>(schema: TSchema, value: unknown, what: string): T {
  if (!Value.Check(schema, value)) {
    const problems = Value.Errors(schema, value)
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'}: ${e.message}`);
    throw new ApiError('bad_request', `invalid ${what} dump: ${problems.join('; ')}`);
  }
  return value as T;
}

/** Rows in code-unit order of a text field: a Map and a Redis hash list in different orders, their dumps must not. */
export function sortedBy<T extends Record<K, string>, K extends keyof T>(rows: T[], field: K): T[] {
  return rows.sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0));
}

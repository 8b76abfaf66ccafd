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

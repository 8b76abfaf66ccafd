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

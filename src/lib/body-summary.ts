/**
 * What the journal and the mock providers keep of a request body: field names,
 * scalars, prompts cut short, and shapes instead of contents. Its size is
 * bounded whatever was sent (a 1 MiB body of `"junk":[{},{},…]` keeps a few
 * hundred bytes), so a client cannot grow the server by sending big bodies.
 */
const STRING_MAX = 200;
const FIELDS_MAX = 32;
const NESTED_FIELDS_MAX = 8;
const NAME_MAX = 64;
/** Characters of kept content per body, across all fields and levels. */
const BUDGET = 2_000;

export type Summary = Record<string, unknown>;

interface Budget {
  left: number;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function shape(value: object): string {
  if (Buffer.isBuffer(value)) return `<${value.length} bytes elided>`;
  if (Array.isArray(value)) return `<array of ${value.length} items>`;
  return `<object with ${Object.keys(value).length} keys>`;
}

function summariseValue(value: unknown, depth: number, budget: Budget): unknown {
  if (typeof value === 'string') {
    const kept = cut(value, Math.min(STRING_MAX, Math.max(16, budget.left)));
    budget.left -= kept.length;
    return kept;
  }
  if (value === null || typeof value !== 'object') {
    budget.left -= 8;
    return value;
  }
  // One level of small objects and arrays is shown (a `provider` object, `stop` lists); deeper or bigger ones by shape.
  const small = Array.isArray(value) ? value.length <= NESTED_FIELDS_MAX : Object.keys(value).length <= NESTED_FIELDS_MAX;
  if (depth >= 1 || !small || Buffer.isBuffer(value) || budget.left <= 0) {
    const described = shape(value);
    budget.left -= described.length;
    return described;
  }
  if (Array.isArray(value)) return value.map((item) => summariseValue(item, depth + 1, budget));
  return summariseFields(value as Record<string, unknown>, depth + 1, budget, NESTED_FIELDS_MAX);
}

function summariseFields(object: Record<string, unknown>, depth: number, budget: Budget, max: number): Summary {
  const out: Summary = {};
  let kept = 0;
  let skipped = 0;
  for (const name in object) {
    if (!Object.hasOwn(object, name)) continue;
    if (kept >= max || budget.left <= 0) {
      skipped++;
      continue;
    }
    const key = cut(name, NAME_MAX);
    budget.left -= key.length;
    out[key] = summariseValue(object[name], depth, budget);
    kept++;
  }
  if (skipped) out['…'] = `${skipped} more fields`;
  return out;
}

/** The body, summarised; undefined for anything but an object. */
export function summariseBody(body: unknown): Summary | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) return undefined;
  return summariseFields(body as Record<string, unknown>, 0, { left: BUDGET }, FIELDS_MAX);
}

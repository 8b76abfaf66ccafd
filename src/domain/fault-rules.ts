import { randomBytes } from 'node:crypto';
import { ApiError } from '../errors.js';
import { keyIdOf } from '../lib/ids.js';
import { seededRandom } from '../lib/random.js';
import { faultCatalog, isFaultCode, type Fault, type FaultContext, type FaultRule, type FaultRuleInput } from './faults.js';

/**
 * Armed fault rules. A rule fires where everything it matches on is known:
 * rules naming a provider fire when routing picks that provider (a failing
 * provider is then skipped if fallbacks allow); the others fire once the
 * request's route, key and model are known. `times` and seeded `probability`
 * make firings exact and replayable.
 */
/** Rules that can still fire; past this, arming is refused (a test suite arms a handful). */
export const MAX_ARMED_RULES = 1_000;
/** Spent rules (times used up) stay listed with `fired`; past this many, the earliest armed are forgotten. */
export const SPENT_RULES_KEPT = 100;

export class FaultRules {
  #rules: FaultRule[] = [];

  add(input: FaultRuleInput): FaultRule {
    const armed = this.#rules.filter((r) => r.remaining !== 0).length;
    if (armed >= MAX_ARMED_RULES) {
      throw new ApiError('bad_request', `${armed} fault rules are armed, the most there can be; disarm some (DELETE /_emulator/faults/{id}) or reset`);
    }
    if (!isFaultCode(input.fault)) {
      throw new ApiError('bad_request', `unknown fault "${input.fault}"; see GET /_emulator/faults/catalog (${faultCatalog().map((f) => f.code).join(', ')})`);
    }
    const match: FaultRule['match'] = {};
    if (input.match?.route) match.route = input.match.route;
    if (input.match?.model) match.model = input.match.model;
    if (input.match?.key && input.match.key_id) throw new ApiError('bad_request', 'match.key and match.key_id: give one');
    if (input.match?.key) match.keyId = keyIdOf(input.match.key);
    if (input.match?.key_id) match.keyId = input.match.key_id;
    if (input.match?.provider) match.provider = input.match.provider.toLowerCase();
    const rule: FaultRule = {
      id: randomBytes(6).toString('hex'),
      code: input.fault,
      match,
      fired: 0,
      random: seededRandom(input.seed ?? 1),
    };
    if (input.times !== undefined) rule.remaining = input.times;
    if (input.probability !== undefined) rule.probability = input.probability;
    for (const k of ['latencyMs', 'errorMessage', 'retryAfterS', 'processingMs'] as const) {
      if (input[k] !== undefined) (rule as unknown as Record<string, unknown>)[k] = input[k];
    }
    this.#rules.push(rule);
    return rule;
  }

  list(keyId?: string): FaultRule[] {
    return keyId === undefined ? [...this.#rules] : this.#rules.filter((r) => r.match.keyId === keyId);
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length < before;
  }

  clear(keyId?: string): void {
    this.#rules = keyId === undefined ? [] : this.#rules.filter((r) => r.match.keyId !== keyId);
  }

  /** The first armed rule for this request (provider given: the provider stage), consuming one firing. */
  take(ctx: FaultContext): Fault | undefined {
    const providerStage = ctx.provider !== undefined;
    for (const rule of this.#rules) {
      const m = rule.match;
      if ((m.provider !== undefined) !== providerStage) continue;
      if (m.provider !== undefined && m.provider !== ctx.provider!.toLowerCase()) continue;
      if (m.route !== undefined && m.route !== ctx.route) continue;
      if (m.keyId !== undefined && m.keyId !== ctx.keyId) continue;
      if (m.model !== undefined && m.model !== ctx.model) continue;
      if (rule.remaining === 0) continue;
      if (rule.probability !== undefined && rule.random() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      rule.fired++;
      if (rule.remaining === 0) this.#forgetOldSpent();
      return rule;
    }
    return undefined;
  }

  #forgetOldSpent(): void {
    const spent = this.#rules.filter((r) => r.remaining === 0);
    if (spent.length <= SPENT_RULES_KEPT) return;
    const forget = new Set(spent.slice(0, spent.length - SPENT_RULES_KEPT));
    this.#rules = this.#rules.filter((r) => !forget.has(r));
  }
}

export function describeRule(rule: FaultRule) {
  const { random: _random, ...rest } = rule;
  return rest;
}

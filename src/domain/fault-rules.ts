import { randomBytes } from 'node:crypto';
import { ApiError } from '../errors.js';
import { keyIdOf } from '../lib/ids.js';
import { seededDraw } from '../lib/seeded-draw.js';
import type { ControlState } from '../state/control.js';
import { FAULTS_DOC } from '../state/control-kinds.js';
import type { FaultCounts, FaultCounterStore, Json } from '../state/types.js';
import { faultCatalog, isFaultCode, type FaultContext, type FaultRule, type FaultRuleInput } from './faults.js';

/**
 * Armed fault rules. A rule fires where everything it matches on is known:
 * rules naming a provider fire when routing picks that provider (a failing
 * provider is then skipped if fallbacks allow); the others fire once the
 * request's route, key and model are known. `times` and seeded `probability`
 * make firings exact and replayable, across processes too: definitions are
 * control state, firings and draws are counted atomically in the counter store.
 */
/** Rules that can still fire; past this, arming is refused (a test suite arms a handful). */
export const MAX_ARMED_RULES = 1_000;
/** Spent rules (times used up) stay listed with `fired`; past this many, the earliest armed are forgotten when a rule is armed. */
export const SPENT_RULES_KEPT = 100;

export type RuleView = Omit<FaultRule, 'seed' | 'times'> & { fired: number; remaining?: number };

export class FaultRules {
  #rules: FaultRule[] = [];

  constructor(
    private readonly counters: FaultCounterStore,
    private readonly control: ControlState,
  ) {}

  async add(input: FaultRuleInput): Promise<RuleView> {
    const rule = this.#ruleOf(input);
    await this.counters.init(rule.id, rule.times);
    // Read before the change, which must not wait: a rule armed meanwhile counts as armed.
    const counts = await this.counters.counts(this.#rules.map((r) => r.id));
    const forgotten = await this.control.change(FAULTS_DOC, () => {
      const spent = this.#rules.filter((r) => counts.get(r.id)?.remaining === 0);
      const armed = this.#rules.length - spent.length;
      if (armed >= MAX_ARMED_RULES) {
        throw new ApiError('bad_request', `${armed} fault rules are armed, the most there can be; disarm some (DELETE /_emulator/faults/{id}) or reset`);
      }
      const forget = new Set(spent.slice(0, Math.max(0, spent.length - SPENT_RULES_KEPT)).map((r) => r.id));
      this.#rules = [...this.#rules.filter((r) => !forget.has(r.id)), rule];
      return [...forget];
    });
    if (forgotten.length) await this.counters.delete(forgotten);
    return view(rule, { fired: 0, remaining: rule.times });
  }

  #ruleOf(input: FaultRuleInput): FaultRule {
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
    const rule: FaultRule = { id: randomBytes(6).toString('hex'), code: input.fault, match, seed: input.seed ?? 1 };
    if (input.times !== undefined) rule.times = input.times;
    if (input.probability !== undefined) rule.probability = input.probability;
    for (const k of ['latencyMs', 'errorMessage', 'retryAfterS', 'processingMs'] as const) {
      if (input[k] !== undefined) (rule as unknown as Record<string, unknown>)[k] = input[k];
    }
    return rule;
  }

  async list(keyId?: string): Promise<RuleView[]> {
    const rules = keyId === undefined ? this.#rules : this.#rules.filter((r) => r.match.keyId === keyId);
    const counts = await this.counters.counts(rules.map((r) => r.id));
    return rules.map((r) => view(r, counts.get(r.id) ?? { fired: 0, remaining: r.times }));
  }

  async remove(id: string): Promise<boolean> {
    const removed = await this.control.change(FAULTS_DOC, () => {
      const before = this.#rules.length;
      this.#rules = this.#rules.filter((r) => r.id !== id);
      return this.#rules.length < before;
    });
    if (removed) await this.counters.delete([id]);
    return removed;
  }

  async clear(keyId?: string): Promise<void> {
    const gone = await this.control.change(FAULTS_DOC, () => {
      const gone = this.#rules.filter((r) => keyId === undefined || r.match.keyId === keyId).map((r) => r.id);
      this.#rules = this.#rules.filter((r) => !gone.includes(r.id));
      return gone;
    });
    if (keyId === undefined) await this.counters.reset();
    else if (gone.length) await this.counters.delete(gone);
  }

  /** The first armed rule for this request (provider given: the provider stage), consuming one firing. */
  async take(ctx: FaultContext): Promise<FaultRule | undefined> {
    const providerStage = ctx.provider !== undefined;
    for (const rule of this.#rules) {
      const m = rule.match;
      if ((m.provider !== undefined) !== providerStage) continue;
      if (m.provider !== undefined && m.provider !== ctx.provider!.toLowerCase()) continue;
      if (m.route !== undefined && m.route !== ctx.route) continue;
      if (m.keyId !== undefined && m.keyId !== ctx.keyId) continue;
      if (m.model !== undefined && m.model !== ctx.model) continue;
      if (rule.probability !== undefined) {
        const n = await this.counters.draw(rule.id);
        if (n === undefined || seededDraw(rule.seed, n) >= rule.probability) continue;
      }
      if (await this.counters.fire(rule.id)) return rule;
    }
    return undefined;
  }

  /** Control document: the definitions. */
  toJson(): Json {
    return this.#rules as unknown as Json;
  }

  fromJson(json: Json | undefined): void {
    this.#rules = json === undefined ? [] : (json as unknown as FaultRule[]);
  }
}

function view(rule: FaultRule, counts: FaultCounts): RuleView {
  const { seed: _seed, times: _times, ...rest } = rule;
  const out: RuleView = { ...rest, fired: counts.fired };
  if (counts.remaining !== undefined) out.remaining = counts.remaining;
  return out;
}

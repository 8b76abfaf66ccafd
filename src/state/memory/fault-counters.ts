import { FaultCountersDump } from '../../schemas/state-dumps.js';
import { checkDump, sortedBy } from '../dump-check.js';
import type { FaultCounterStore, FaultCounts, Json } from '../types.js';

interface Counters {
  fired: number;
  /** undefined: unlimited. */
  remaining: number | undefined;
  draws: number;
}

const spent = (rule: Counters) => rule.remaining !== undefined && rule.remaining <= 0;

/** Fault rule counters in this process: the default backend. */
export class MemoryFaultCounterStore implements FaultCounterStore {
  readonly #rules = new Map<string, Counters>();

  async init(ruleId: string, remaining: number | undefined): Promise<void> {
    this.#rules.set(ruleId, { fired: 0, remaining, draws: 0 });
  }

  async draw(ruleId: string): Promise<number | undefined> {
    const rule = this.#rules.get(ruleId);
    if (!rule || spent(rule)) return undefined;
    return ++rule.draws;
  }

  async fire(ruleId: string): Promise<boolean> {
    const rule = this.#rules.get(ruleId);
    if (!rule || spent(rule)) return false;
    if (rule.remaining !== undefined) rule.remaining--;
    rule.fired++;
    return true;
  }

  async counts(ruleIds: readonly string[]): Promise<Map<string, FaultCounts>> {
    const out = new Map<string, FaultCounts>();
    for (const id of ruleIds) {
      const rule = this.#rules.get(id);
      if (rule) out.set(id, { fired: rule.fired, remaining: rule.remaining });
    }
    return out;
  }

  async delete(ruleIds: readonly string[]): Promise<void> {
    for (const id of ruleIds) this.#rules.delete(id);
  }

  async reset(): Promise<void> {
    this.#rules.clear();
  }

  async dump(): Promise<Json> {
    const rules = [...this.#rules].map(([ruleId, r]) => ({ ruleId, fired: r.fired, remaining: r.remaining ?? null, draws: r.draws }));
    return { rules: sortedBy(rules, 'ruleId') } satisfies FaultCountersDump;
  }

  async load(dump: Json): Promise<void> {
    for (const r of checkDump<FaultCountersDump>(FaultCountersDump, dump, 'fault counters').rules) {
      this.#rules.set(r.ruleId, { fired: r.fired, remaining: r.remaining ?? undefined, draws: r.draws });
    }
  }
}

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestMetrics } from './lib/request-metrics.js';
import type { Services } from './services.js';

/**
 * Prometheus metrics in a registry of this app's own (tests build many apps).
 * Request metrics are counted as responses go out; jobs, renders and ledger
 * totals are read from the services when scraped, so they cannot drift.
 */
export function buildMetrics(services: Services): { registry: Registry; requests: RequestMetrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  // Counted by the response observer (observe.ts), which reads the route and the elapsed time once for all.
  const requests = new RequestMetrics(registry);

  new Gauge({
    name: 'emulator_jobs',
    help: 'Async jobs held, by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      for (const [state, n] of Object.entries(await services.jobs.statusCounts())) this.set({ state }, n);
    },
  });

  let seen = { hits: 0, misses: 0, coalesced: 0 };
  new Counter({
    name: 'emulator_renders_total',
    help: 'Image renders requested, by result: hit (cache), miss (drawn), coalesced (shared an in-flight draw)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const s = services.renderer.stats();
      this.inc({ result: 'hit' }, s.hits - seen.hits);
      this.inc({ result: 'miss' }, s.misses - seen.misses);
      this.inc({ result: 'coalesced' }, s.coalesced - seen.coalesced);
      seen = { hits: s.hits, misses: s.misses, coalesced: s.coalesced };
    },
  });
  new Gauge({
    name: 'emulator_render_cache_hit_ratio',
    help: 'Share of renders answered from the cache since start',
    registers: [registry],
    collect() {
      const s = services.renderer.stats();
      const total = s.hits + s.misses + s.coalesced;
      this.set(total ? (s.hits + s.coalesced) / total : 0);
    },
  });
  new Gauge({
    name: 'emulator_render_cache_bytes',
    help: 'Bytes held by the render cache',
    registers: [registry],
    collect() {
      this.set(services.renderer.stats().cachedBytes);
    },
  });
  new Gauge({
    name: 'emulator_ledger_spent',
    help: 'Total booked, by currency unit (neuron for 0G accounts, micro_usd for USD accounts)',
    labelNames: ['unit'] as const,
    registers: [registry],
    async collect() {
      const totals = await services.ledger.store.totals();
      this.set({ unit: 'neuron' }, Number(totals.spentNeuron));
      this.set({ unit: 'micro_usd' }, Number(totals.spentMicroUsd));
    },
  });
  new Gauge({
    name: 'emulator_ledger_charges',
    help: 'Charges booked since start',
    registers: [registry],
    async collect() {
      this.set((await services.ledger.store.totals()).charges);
    },
  });
  return { registry, requests };
}

import type { Counter, Registry } from 'prom-client';

/** Upper bounds of the latency histogram, in seconds. */
const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Series {
  route: string;
  method: string;
  /** Requests answered, by status code. */
  byStatus: Map<number, number>;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: Float64Array;
  sumS: number;
  count: number;
}

interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * `emulator_http_requests_total` and `emulator_http_request_duration_seconds`,
 * counted with one Map lookup per request and formatted by prom-client only
 * when scraped. prom-client's own Counter.inc and Histogram.observe hash their
 * label objects on every call: a tenth of a small request's CPU.
 *
 * Registry needs of a metric only `name`, `help`, `type`, `aggregator`, `get()`
 * (what every scrape calls) and `reset()`, so the two are plain objects
 * registered beside prom-client's own metrics. Series are bounded: routes come
 * from the route table ('unmatched' for the rest), methods are the parser's.
 */
export class RequestMetrics {
  readonly #series = new Map<string, Series>();

  constructor(registry: Registry) {
    const metric = (name: string, help: string, type: string, values: () => MetricValue[]) => ({
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.#series.clear(),
    });
    const register = (m: ReturnType<typeof metric>) => registry.registerMetric(m as unknown as Counter);
    register(metric('emulator_http_requests_total', 'HTTP requests by route, method and status', 'counter', () => this.#counts()));
    register(metric('emulator_http_request_duration_seconds', 'HTTP request latency by route and method', 'histogram', () => this.#latencies()));
  }

  tally(route: string, method: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { route, method, byStatus: new Map(), buckets: new Float64Array(BUCKETS_S.length + 1), sumS: 0, count: 0 };
      this.#series.set(key, s);
    }
    s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < BUCKETS_S.length && seconds > BUCKETS_S[i]!) i++;
    s.buckets[i]!++;
    s.sumS += seconds;
    s.count++;
  }

  #counts(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const s of this.#series.values()) {
      for (const [status, n] of s.byStatus) out.push({ labels: { route: s.route, method: s.method, status: String(status) }, value: n });
    }
    return out;
  }

  /** Cumulative buckets, then +Inf, sum and count, as prom-client's Histogram lists them. */
  #latencies(): MetricValue[] {
    const name = 'emulator_http_request_duration_seconds';
    const out: MetricValue[] = [];
    for (const s of this.#series.values()) {
      const labels = { route: s.route, method: s.method };
      let cumulative = 0;
      BUCKETS_S.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        out.push({ metricName: `${name}_bucket`, labels: { le, ...labels }, value: cumulative });
      });
      out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: s.count });
      out.push({ metricName: `${name}_sum`, labels, value: s.sumS });
      out.push({ metricName: `${name}_count`, labels, value: s.count });
    }
    return out;
  }
}

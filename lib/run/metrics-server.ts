import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelRegistry } from '../llm/models.js';
import type { RunStats } from '../metrics/run-stats.js';

/** Upper bounds of the node latency buckets, in ms (Prometheus reports them in seconds). */
const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];

export interface MetricsSources {
  stats: RunStats;
  models: ModelRegistry;
}

export interface MetricsServer {
  /** http://HOST:PORT/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * `--metrics-port`: Prometheus metrics of a run at `/metrics`, read from the run's own
 * counters at each scrape (nothing is counted twice, and the hot path pays nothing):
 * records by fate, per node counts and latency histograms, per model requests, retries,
 * failures, tokens, cost, requests in flight, cache outcomes and batch states.
 */
export async function startMetricsServer(port: number, host: string, sources: MetricsSources): Promise<MetricsServer> {
  const prom = await import('prom-client');
  const { Registry, Gauge, Counter } = (prom as unknown as { default?: typeof prom }).default ?? prom;
  const registry = new Registry();
  const { stats, models } = sources;

  /** A counter whose value is read from the run when scraped. */
  const counter = (name: string, help: string, labelNames: string[], read: (set: (labels: Record<string, string>, value: number) => void) => void): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read((labels, value) => this.inc(labels, value));
      },
    });
  };
  const gauge = (name: string, help: string, labelNames: string[], read: (set: (labels: Record<string, string>, value: number) => void) => void): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read((labels, value) => this.set(labels, value));
      },
    });
  };

  counter('sygra_records_total', 'Records by fate: read (in), written (out), filtered, failed (error).', ['fate'], (set) => {
    set({ fate: 'in' }, stats.recordsIn);
    set({ fate: 'out' }, stats.recordsOut);
    set({ fate: 'filtered' }, stats.filtered);
    set({ fate: 'error' }, stats.errors);
  });
  gauge('sygra_records_in_flight', 'Records read and not yet written.', [], (set) => set({}, stats.inFlight));
  counter('sygra_node_records_total', 'Records through each node, by what became of them there.', ['node', 'fate'], (set) => {
    for (const [node, s] of stats.nodes) {
      set({ node, fate: 'in' }, s.in);
      set({ node, fate: 'out' }, s.out);
      set({ node, fate: 'filtered' }, s.filtered);
      set({ node, fate: 'error' }, s.errors);
    }
  });
  registry.registerMetric({
    name: 'sygra_node_latency_seconds',
    help: 'Time a record spends in each node.',
    // A histogram built at scrape time from the run's own bounded histograms.
    get: async () => ({
      name: 'sygra_node_latency_seconds',
      help: 'Time a record spends in each node.',
      type: 'histogram',
      aggregator: 'sum',
      values: [...stats.nodes.keys()].flatMap((node) => {
        const h = stats.latency(node);
        const counts = h.cumulative(LATENCY_BOUNDS_MS);
        return [
          ...LATENCY_BOUNDS_MS.map((bound, i) => ({ metricName: 'sygra_node_latency_seconds_bucket', labels: { node, le: bound / 1000 }, value: counts[i]! })),
          { metricName: 'sygra_node_latency_seconds_bucket', labels: { node, le: '+Inf' }, value: h.count },
          { metricName: 'sygra_node_latency_seconds_sum', labels: { node }, value: h.sum / 1000 },
          { metricName: 'sygra_node_latency_seconds_count', labels: { node }, value: h.count },
        ];
      }),
    }),
  } as never);

  const perModel = (read: (name: string, usage: ReturnType<ModelRegistry['report']>[string]) => void): void => {
    for (const [name, usage] of Object.entries(models.report())) read(name, usage);
  };
  counter('sygra_model_requests_total', 'Requests made to each model (retries included).', ['model'], (set) => perModel((model, u) => set({ model }, u.requests)));
  counter('sygra_model_retries_total', 'Retries of failed requests.', ['model'], (set) => perModel((model, u) => set({ model }, u.retries)));
  counter('sygra_model_failures_total', 'Requests that failed for good.', ['model'], (set) => perModel((model, u) => set({ model }, u.failures)));
  counter('sygra_model_tokens_total', 'Tokens used, by kind (reasoning tokens are part of completion).', ['model', 'kind'], (set) =>
    perModel((model, u) => {
      set({ model, kind: 'prompt' }, u.prompt_tokens);
      set({ model, kind: 'completion' }, u.completion_tokens);
      set({ model, kind: 'reasoning' }, u.reasoning_tokens);
    }),
  );
  counter('sygra_model_cost_usd_total', 'US dollars spent, from the model price.', ['model'], (set) => perModel((model, u) => set({ model }, u.cost_usd ?? 0)));
  counter('sygra_model_cache_lookups_total', 'Cache lookups by outcome: memory, coalesced (an identical request in flight), a store (disk, redis), or miss.', ['model', 'outcome'], (set) =>
    perModel((model, u) => {
      set({ model, outcome: 'memory' }, u.cache.memory_hits);
      set({ model, outcome: 'coalesced' }, u.cache.coalesced);
      for (const [store, n] of Object.entries(u.cache.store_hits)) set({ model, outcome: store }, n);
      set({ model, outcome: 'miss' }, u.cache.misses);
    }),
  );
  gauge('sygra_model_in_flight', 'Requests in flight to each model.', ['model'], (set) => {
    for (const client of models.inUse()) set({ model: client.spec.name }, client.usage.inFlight);
  });
  gauge('sygra_model_batches', 'Batches of a batch model, by the status the provider gives.', ['model', 'status'], (set) =>
    perModel((model, u) => {
      const byStatus = new Map<string, number>();
      for (const b of u.batches ?? []) byStatus.set(b.status, (byStatus.get(b.status) ?? 0) + 1);
      for (const [status, n] of byStatus) set({ model, status }, n);
    }),
  );

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // A scrape in progress must not keep a finished run alive.
  server.unref();
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

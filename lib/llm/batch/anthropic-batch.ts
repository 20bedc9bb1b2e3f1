import { anthropicBody, parseAnthropicMessage } from '../anthropic-wire.js';
import { apiPath } from '../transports/anthropic.js';
import type { ModelConnection } from '../transports/http.js';
import { TransportError } from '../transport-error.js';
import type { BatchApi, BatchResult, BatchState } from './batch-api.js';

/**
 * Anthropic's Message Batches API: the requests are posted together
 * (`POST /v1/messages/batches`), polled (`GET …/ID`), and once the batch has ended its
 * results (NDJSON at `results_url`) are read back by custom_id.
 */
export function anthropicBatchApi(model: string, open: ModelConnection): BatchApi {
  return {
    provider: 'anthropic',
    maxRequests: 100_000,
    maxBytes: 256 * 1024 * 1024,
    entry: (customId, request) => ({ custom_id: customId, params: anthropicBody(model, request) }),
    async submit(entries) {
      const http = await open();
      const batch = (await http.postJson(http.pick(), apiPath(http, '/messages/batches'), { requests: entries })) as { id?: string };
      if (typeof batch.id !== 'string') throw new TransportError('the batch was created without an id', true, true);
      return batch.id;
    },
    async state(id) {
      const http = await open();
      const b = (await http.getJson(http.pick(), apiPath(http, `/messages/batches/${encodeURIComponent(id)}`))) as { processing_status?: string };
      const status = String(b.processing_status);
      return (status === 'ended' ? { kind: 'ended', status } : { kind: 'running', status }) satisfies BatchState;
    },
    async results(id) {
      const http = await open();
      const b = (await http.getJson(http.pick(), apiPath(http, `/messages/batches/${encodeURIComponent(id)}`))) as { results_url?: string | null };
      if (!b.results_url) throw new TransportError(`batch ${id} ended without a results_url`, false, false);
      // The results live on the API's own host: read them through the same connection.
      const url = new URL(b.results_url);
      const path = url.pathname.slice(http.endpoints[0]!.basePath.length) + url.search;
      const text = await http.getText(http.pick(), path);
      const results: BatchResult[] = [];
      for (const line of text.split('\n')) if (line.trim() !== '') results.push(anthropicBatchResult(JSON.parse(line)));
      return results;
    },
    close: () => open.close(),
  };
}

/** One line of an Anthropic batch's results as a result. */
export function anthropicBatchResult(line: unknown): BatchResult {
  const r = line as { custom_id?: string; result?: { type?: string; message?: unknown; error?: { error?: { message?: string }; message?: string } } };
  const customId = String(r.custom_id);
  const result = r.result ?? {};
  if (result.type === 'succeeded') return { customId, reply: parseAnthropicMessage(result.message) };
  return { customId, error: result.error?.error?.message ?? result.error?.message ?? String(result.type ?? 'no result') };
}

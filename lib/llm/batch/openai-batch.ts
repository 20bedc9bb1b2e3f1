import type { HttpTransport, ModelConnection } from '../transports/http.js';
import { TransportError } from '../transport-error.js';
import { chatBody } from '../wire.js';
import type { ChatRequest } from '../types.js';
import { parseCompletion } from '../transports/openai.js';
import type { BatchApi, BatchResult, BatchState } from './batch-api.js';

/**
 * OpenAI's Batch API: the entries are uploaded as a JSONL file (`POST /files`, purpose
 * batch), a batch is created on it (`POST /batches`), polled (`GET /batches/ID`), and
 * its output and error files (`GET /files/ID/content`) are read back by custom_id.
 */
export function openAiBatchApi(model: string, open: ModelConnection): BatchApi {
  const call = async <T>(use: (http: HttpTransport) => Promise<T>): Promise<T> => {
    const http = await open();
    return use(http);
  };
  return {
    provider: 'openai',
    maxRequests: 50_000,
    maxBytes: 200 * 1024 * 1024,
    entry: (customId, request) => ({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: chatBody(model, request) }),
    submit: (entries) =>
      call(async (http) => {
        const data = Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        const file = (await http.postFile(http.pick(), '/files', { purpose: 'batch' }, { name: 'batch.jsonl', type: 'application/jsonl', data })) as { id?: string };
        if (typeof file.id !== 'string') throw new TransportError('the file upload answered without an id', true, true);
        const batch = (await http.postJson(http.pick(), '/batches', { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })) as { id?: string };
        if (typeof batch.id !== 'string') throw new TransportError('the batch was created without an id', true, true);
        return batch.id;
      }),
    state: (id) =>
      call(async (http) => {
        const b = (await http.getJson(http.pick(), `/batches/${encodeURIComponent(id)}`)) as { status?: string; errors?: { data?: Array<{ message?: string }> } };
        const status = String(b.status);
        if (status === 'completed' || status === 'expired' || status === 'cancelled') return { kind: 'ended', status } satisfies BatchState;
        if (status === 'failed') return { kind: 'failed', status, reason: b.errors?.data?.map((e) => e.message).join('; ') || 'the batch failed' } satisfies BatchState;
        return { kind: 'running', status } satisfies BatchState;
      }),
    results: (id, requests) =>
      call(async (http) => {
        const b = (await http.getJson(http.pick(), `/batches/${encodeURIComponent(id)}`)) as { output_file_id?: string | null; error_file_id?: string | null };
        const results: BatchResult[] = [];
        for (const fileId of [b.output_file_id, b.error_file_id]) {
          if (!fileId) continue;
          const text = await http.getText(http.pick(), `/files/${encodeURIComponent(fileId)}/content`);
          for (const line of text.split('\n')) {
            if (line.trim() === '') continue;
            results.push(openAiBatchResult(JSON.parse(line), requests));
          }
        }
        return results;
      }),
    close: () => open.close(),
  };
}

/** One line of an OpenAI batch's output or error file as a result. */
export function openAiBatchResult(line: unknown, requests: ReadonlyMap<string, ChatRequest>): BatchResult {
  const r = line as { custom_id?: string; response?: { status_code?: number; body?: unknown } | null; error?: { code?: string; message?: string } | null };
  const customId = String(r.custom_id);
  if (r.response && r.response.status_code === 200) return { customId, reply: parseCompletion(r.response.body, requests.get(customId) ?? { messages: [], params: {} }) };
  const body = r.response?.body as { error?: { message?: string } } | undefined;
  return { customId, error: r.error?.message ?? body?.error?.message ?? `HTTP ${r.response?.status_code ?? '?'}` };
}

import { randomUUID } from 'node:crypto';
import type { WireRequest } from '../wire.js';
import { messagesBodyProblem, wireOfMessages } from './anthropic.js';

/**
 * The mock server's batch APIs: OpenAI's (a JSONL file uploaded to /files, a batch made
 * on it, output and error files) and Anthropic's message batches. A batch ends
 * `delayMs` after it was made; every `failEvery`-th request fails, and with `expire`
 * the batch expires with only its first half answered, so clients meet each ending.
 */
export interface MockBatchOptions {
  delayMs: number;
  failEvery: number;
  expire: boolean;
}

export interface MockBatchStats {
  files_uploaded: number;
  batches_created: number;
  batch_requests: number;
}

type Answer = (surface: 'openai' | 'anthropic', body: WireRequest, thinking: boolean) => unknown;
type Reply = { status: number; body: unknown } | { status: number; text: string };

interface MockBatch {
  id: string;
  surface: 'openai' | 'anthropic';
  created: number;
  requests: Array<{ customId: string; body: WireRequest; thinking: boolean }>;
  /** Once ended: the answered lines and the failed ones, as the provider writes them. */
  output?: string[];
  errors?: string[];
  outputFileId?: string;
  errorFileId?: string;
}

export class MockBatches {
  private readonly files = new Map<string, string>();
  private readonly batches = new Map<string, MockBatch>();

  constructor(
    private readonly options: MockBatchOptions,
    private readonly answer: Answer,
    private readonly stats: MockBatchStats,
  ) {}

  /** POST /files (multipart/form-data with `purpose` and `file`). */
  upload(contentType: string | undefined, body: Buffer): Reply {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
    if (!boundary) return { status: 400, body: { error: { message: 'expected multipart/form-data', type: 'invalid_request_error' } } };
    const parts = body.toString('utf8').split(`--${boundary[1] ?? boundary[2]}`);
    const file = parts.find((p) => /name="file"/.test(p.slice(0, p.indexOf('\r\n\r\n'))));
    if (!file) return { status: 400, body: { error: { message: 'no file part', type: 'invalid_request_error' } } };
    const content = file.slice(file.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
    const id = `file-${randomUUID().slice(0, 12)}`;
    this.files.set(id, content);
    this.stats.files_uploaded++;
    return { status: 200, body: { id, object: 'file', bytes: Buffer.byteLength(content), purpose: 'batch', filename: 'batch.jsonl' } };
  }

  /** POST /batches. */
  createOpenAi(request: { input_file_id?: string; endpoint?: string }): Reply {
    const content = this.files.get(String(request.input_file_id));
    if (content === undefined) return { status: 404, body: { error: { message: `no file ${request.input_file_id}`, type: 'invalid_request_error' } } };
    if (request.endpoint !== '/v1/chat/completions') return { status: 400, body: { error: { message: 'endpoint must be /v1/chat/completions', type: 'invalid_request_error' } } };
    const requests = content
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const line = JSON.parse(l) as { custom_id: string; body: WireRequest };
        return { customId: line.custom_id, body: line.body, thinking: false };
      });
    const batch = this.make('openai', `batch_${randomUUID().slice(0, 12)}`, requests);
    return { status: 200, body: this.openAiView(batch) };
  }

  /** GET /batches/ID. */
  getOpenAi(id: string): Reply {
    const batch = this.batches.get(id);
    return batch?.surface === 'openai' ? { status: 200, body: this.openAiView(batch) } : { status: 404, body: { error: { message: `no batch ${id}`, type: 'invalid_request_error' } } };
  }

  /** GET /files/ID/content. */
  fileContent(id: string): Reply {
    const content = this.files.get(id);
    return content === undefined ? { status: 404, body: { error: { message: `no file ${id}` } } } : { status: 200, text: content };
  }

  /** POST /v1/messages/batches. */
  createAnthropic(request: { requests?: Array<{ custom_id?: string; params?: Record<string, unknown> }> }, root: string): Reply {
    if (!Array.isArray(request.requests) || request.requests.length === 0) return anthropicError(400, 'requests: a non-empty array is required');
    const requests: MockBatch['requests'] = [];
    for (const [i, r] of request.requests.entries()) {
      const problem = r.params ? messagesBodyProblem(r.params) : 'params: required';
      if (problem) return anthropicError(400, `requests.${i}.${problem}`);
      requests.push({ customId: String(r.custom_id), body: wireOfMessages(r.params!), thinking: (r.params!.thinking as { type?: string } | undefined)?.type === 'enabled' });
    }
    const batch = this.make('anthropic', `msgbatch_${randomUUID().slice(0, 12)}`, requests);
    return { status: 200, body: this.anthropicView(batch, root) };
  }

  /** GET /v1/messages/batches/ID. */
  getAnthropic(id: string, root: string): Reply {
    const batch = this.batches.get(id);
    return batch?.surface === 'anthropic' ? { status: 200, body: this.anthropicView(batch, root) } : anthropicError(404, `no batch ${id}`);
  }

  /** GET /v1/messages/batches/ID/results. */
  anthropicResults(id: string): Reply {
    const batch = this.batches.get(id);
    if (batch?.surface !== 'anthropic' || !this.ended(batch)) return anthropicError(404, `no results for ${id}`);
    return { status: 200, text: [...batch.output!, ...batch.errors!].join('') };
  }

  private make(surface: MockBatch['surface'], id: string, requests: MockBatch['requests']): MockBatch {
    const batch: MockBatch = { id, surface, created: Date.now(), requests };
    this.batches.set(id, batch);
    this.stats.batches_created++;
    this.stats.batch_requests += requests.length;
    return batch;
  }

  /** Whether the batch has ended; on the first look after its time, its results are made. */
  private ended(batch: MockBatch): boolean {
    if (batch.output) return true;
    if (Date.now() < batch.created + this.options.delayMs) return false;
    const output: string[] = [];
    const errors: string[] = [];
    const answered = this.options.expire ? Math.ceil(batch.requests.length / 2) : batch.requests.length;
    batch.requests.forEach((r, i) => {
      const fails = this.options.failEvery > 0 && (i + 1) % this.options.failEvery === 0;
      if (batch.surface === 'openai') {
        if (i >= answered)
          errors.push(
            `${JSON.stringify({ id: `req_${i}`, custom_id: r.customId, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } })}\n`,
          );
        else if (fails)
          errors.push(
            `${JSON.stringify({ id: `req_${i}`, custom_id: r.customId, response: { status_code: 500, request_id: `r${i}`, body: { error: { message: 'injected failure', type: 'server_error' } } }, error: null })}\n`,
          );
        else
          output.push(`${JSON.stringify({ id: `req_${i}`, custom_id: r.customId, response: { status_code: 200, request_id: `r${i}`, body: this.answer('openai', r.body, false) }, error: null })}\n`);
      } else {
        const result =
          i >= answered
            ? { type: 'expired' }
            : fails
              ? { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: 'injected failure' } } }
              : { type: 'succeeded', message: this.answer('anthropic', r.body, r.thinking) };
        (result.type === 'succeeded' ? output : errors).push(`${JSON.stringify({ custom_id: r.customId, result })}\n`);
      }
    });
    batch.output = output;
    batch.errors = errors;
    if (batch.surface === 'openai') {
      if (output.length > 0) this.files.set((batch.outputFileId = `file-${randomUUID().slice(0, 12)}`), output.join(''));
      if (errors.length > 0) this.files.set((batch.errorFileId = `file-${randomUUID().slice(0, 12)}`), errors.join(''));
    }
    return true;
  }

  private openAiView(batch: MockBatch): Record<string, unknown> {
    const ended = this.ended(batch);
    const failed = ended ? batch.errors!.length : 0;
    return {
      id: batch.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      status: !ended ? 'in_progress' : this.options.expire ? 'expired' : 'completed',
      created_at: Math.floor(batch.created / 1000),
      output_file_id: batch.outputFileId ?? null,
      error_file_id: batch.errorFileId ?? null,
      request_counts: { total: batch.requests.length, completed: ended ? batch.output!.length : 0, failed },
    };
  }

  private anthropicView(batch: MockBatch, root: string): Record<string, unknown> {
    const ended = this.ended(batch);
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: ended ? 0 : batch.requests.length,
        succeeded: ended ? batch.output!.length : 0,
        errored: ended ? batch.errors!.filter((l) => l.includes('"errored"')).length : 0,
        canceled: 0,
        expired: ended ? batch.errors!.filter((l) => l.includes('"expired"')).length : 0,
      },
      results_url: ended ? `${root}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}

function anthropicError(status: number, message: string): Reply {
  return { status, body: { type: 'error', error: { type: status === 404 ? 'not_found_error' : 'invalid_request_error', message } } };
}

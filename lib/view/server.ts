import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { LRUCache } from 'lru-cache';
import { isJsonObject } from '../record/item.js';
import { RULES } from '../quality/rules.js';
import { renderHtml } from '../report/html.js';
import { SummaryBuilder, type DatasetSummary } from '../report/summary.js';
import { FacetColumns, facetsOf, shownRecord } from './facets.js';
import { isLabel, type LabelStore } from './labels.js';
import { LineIndex } from './line-index.js';
import { APP_SCRIPT } from './page/app-script.js';
import { MARKDOWN_SCRIPT } from './page/markdown-script.js';
import { PAGE_HTML } from './page/page-html.js';
import { STYLE } from './page/style.js';
import { parseListQuery, selectRecords, type ViewedFile } from './query.js';

export interface ViewerOptions {
  files: readonly string[];
  labels: LabelStore;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Progress for a person: index built, facets read (written to stderr by the CLI). */
  onEvent?: (message: string) => void;
}

export interface Viewer {
  /** http://HOST:PORT/ */
  url: string;
  /** Resolves when every file is indexed and its facets are read. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** The page size of the list when the browser does not ask for another. */
const PAGE = 50;
const MAX_PAGE = 500;
const EXCERPT = 200;
/** Bytes of a label request body; a label and a short note fit many times over. */
const MAX_BODY = 64 * 1024;

/** Headers of every answer: nothing runs but our own script, nothing is framed or sniffed. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `sygra-stream view`: a local web viewer over NDJSON outputs of any size. Each file is
 * indexed by streaming it (line offsets, then facet columns in the background); pages
 * read only the records they show. Labels go to a sidecar NDJSON file. Record text is
 * untrusted: it reaches the page only as JSON, which the page's script puts into the DOM
 * as text, under a policy that runs no script but the viewer's own.
 */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const say = options.onEvent ?? (() => undefined);
  const files: Array<ViewedFile & { path: string; summary: DatasetSummary | null }> = [];
  for (const path of options.files) {
    const started = performance.now();
    const index = await LineIndex.build(path);
    const seconds = (performance.now() - started) / 1000;
    say(`indexed ${path}: ${index.count} records, ${(index.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${(index.bytes / 1e6 / Math.max(seconds, 1e-6)).toFixed(0)} MB/s)`);
    files.push({ name: path, path, index, facets: null, summary: null });
  }
  // Facets are read one file after another, in the background: pages and text search work meanwhile.
  const ready = (async () => {
    for (const file of files) {
      const started = performance.now();
      file.facets = await FacetColumns.build(file.index);
      say(`filters ready for ${file.path} (${((performance.now() - started) / 1000).toFixed(2)} s)`);
    }
  })();
  ready.catch((err: Error) => say(`cannot read the records for filters: ${err.message}`));

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) sendJson(res, status, { error: (err as Error).message });
      else res.destroy();
    });
  });

  let origin = '';
  let allowedHosts = new Set<string>();
  // The last few selections, so paging through a text search does not read the file again.
  const selections = new LRUCache<string, Uint32Array>({ max: 8 });
  let labelChanges = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Only this host and port: a page elsewhere cannot reach the viewer by a name it points at 127.0.0.1.
    const hostHeader = req.headers.host ?? '';
    if (!allowedHosts.has(hostHeader)) throw new HttpError(421, `this viewer answers at ${origin} only`);
    const url = new URL(req.url ?? '/', origin);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /':
        return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
      case 'GET /app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', `${MARKDOWN_SCRIPT}\n${APP_SCRIPT}`);
      case 'GET /style.css':
        return send(res, 200, 'text/css; charset=utf-8', STYLE);
      case 'GET /favicon.ico':
        res.writeHead(204, SECURITY_HEADERS);
        return void res.end();
      case 'GET /api/files':
        return sendJson(
          res,
          200,
          files.map((file, i) => describeFile(file, i)),
        );
      case 'GET /api/rules':
        return sendJson(res, 200, Object.fromEntries([...RULES.values()].map((r) => [r.name, { min: r.min ?? null, max: r.max ?? null, optIn: r.optIn ?? false, formula: r.formula }])));
      case 'GET /api/list':
        return sendJson(res, 200, await list(fileOf(url), url.searchParams));
      case 'GET /api/record':
        return sendJson(res, 200, await record(fileOf(url), url.searchParams));
      case 'POST /api/label':
        return sendJson(res, 200, await label(req));
      case 'GET /report':
        return report(res, url);
      default:
        throw new HttpError(404, `no such page: ${url.pathname}`);
    }
  };

  const fileOf = (url: URL): (typeof files)[number] => {
    const i = Number(url.searchParams.get('file') ?? '0');
    const file = files[i];
    if (!file) throw new HttpError(400, `file: no file number ${url.searchParams.get('file')}`);
    return file;
  };

  const describeFile = (file: (typeof files)[number], i: number) => {
    const { facets } = file;
    return {
      file: i,
      name: file.name,
      records: file.index.count,
      bytes: file.index.bytes,
      labels: options.labels.counts(file.name),
      filters: facets
        ? {
            kinds: countKinds(facets),
            languages: facets.languageNames.entries().filter((e) => e.value !== ''),
            nodes: facets.nodeNames.entries().filter((e) => e.value !== ''),
            causes: facets.causeTexts.entries().filter((e) => e.value !== ''),
            tags: facets.tags.entries(),
          }
        : null,
    };
  };

  const list = async (file: (typeof files)[number], params: URLSearchParams) => {
    let query: ReturnType<typeof parseListQuery>;
    try {
      query = parseListQuery(params);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
    const limit = Math.min(MAX_PAGE, Math.max(1, Number(params.get('limit') ?? PAGE) || PAGE));
    // A label filter's answer changes with every label given; other answers do not.
    const key = JSON.stringify([files.indexOf(file), file.facets !== null, query, query.label === null ? 0 : labelChanges]);
    let matches = selections.get(key);
    if (!matches) {
      try {
        matches = await selectRecords(file, query, options.labels);
      } catch (err) {
        throw new HttpError(503, (err as Error).message);
      }
      selections.set(key, matches);
    }
    // The page's reads go out together: each would otherwise wait its turn behind the background pass.
    const rows = await Promise.all(Array.from(matches.subarray(offset, offset + limit), (n) => row(file, n)));
    return { file: files.indexOf(file), total: matches.length, offset, limit, rows, matches: params.get('numbers') === '1' ? Array.from(matches) : undefined };
  };

  const row = async (file: (typeof files)[number], n: number) => {
    const text = await file.index.read(n);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const facets = facetsOf(value);
    const { record } = shownRecord(value);
    return {
      n,
      line: n + 1,
      id: record && record.id !== undefined ? String(record.id) : null,
      kind: facets.kind,
      score: facets.score,
      language: facets.language,
      node: facets.node,
      cause: facets.cause,
      failed: facets.tags.filter((t) => t.startsWith('rule:')).map((t) => t.slice(5)),
      label: options.labels.get(file.name, n + 1)?.label ?? null,
      excerpt: excerptOf(record, value, text),
    };
  };

  const record = async (file: (typeof files)[number], params: URLSearchParams) => {
    const n = Number(params.get('n'));
    if (!Number.isInteger(n) || n < 0 || n >= file.index.count) throw new HttpError(404, `n: no record ${params.get('n')} in ${file.name} (it has ${file.index.count})`);
    const text = await file.index.read(n);
    let value: unknown;
    let invalid: string | null = null;
    try {
      value = JSON.parse(text);
    } catch (err) {
      invalid = (err as Error).message;
    }
    const shown = shownRecord(value);
    const label = options.labels.get(file.name, n + 1);
    return { file: files.indexOf(file), n, line: n + 1, kind: shown.kind, line_value: value ?? null, record: shown.record, invalid, text: invalid ? text : null, label: label ?? null };
  };

  const label = async (req: IncomingMessage) => {
    // A form on another site cannot post here: JSON only, from this origin only.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send the label as application/json');
    if (!allowedHosts.has((req.headers.origin ?? '').replace(/^http:\/\//, ''))) throw new HttpError(403, `labels are taken from ${origin} only`);
    const body = await readBody(req);
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'the body is not JSON');
    }
    if (!isJsonObject(value)) throw new HttpError(400, 'the body is not a JSON object');
    const file = files[Number(value.file)];
    if (!file) throw new HttpError(400, `file: no file number ${String(value.file)}`);
    const n = Number(value.n);
    if (!Number.isInteger(n) || n < 0 || n >= file.index.count) throw new HttpError(400, `n: no record ${String(value.n)} in ${file.name}`);
    if (value.label !== null && !isLabel(value.label)) throw new HttpError(400, 'label: one of accept, reject, flag, or null to clear');
    const note = typeof value.note === 'string' ? value.note.slice(0, 2000) : '';
    let id: string | null = null;
    try {
      const { record } = shownRecord(JSON.parse(await file.index.read(n)));
      if (record && record.id !== undefined && record.id !== null) id = String(record.id);
    } catch {
      // A line that is not JSON is labelled by its line alone.
    }
    labelChanges++;
    return options.labels.set({ file: file.name, line: n + 1, id, label: value.label, note });
  };

  const report = async (res: ServerResponse, url: URL) => {
    const file = fileOf(url);
    if (!file.summary) {
      const builder = new SummaryBuilder();
      await file.index.scan(0, file.index.count, (_, bytes) => {
        try {
          const { record } = shownRecord(JSON.parse(bytes.toString('utf8')));
          if (record) builder.add(record);
        } catch {
          // Not JSON: left out of the report, as `report` does.
        }
        return undefined;
      });
      file.summary = builder.summary();
    }
    const nonce = randomBytes(16).toString('base64');
    const html = renderHtml(file.summary, `Dataset report: ${basename(file.name)}`, { nonce, listLink: `/#/list?file=${files.indexOf(file)}` });
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'content-type': 'text/html; charset=utf-8',
    });
    res.end(html);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostName = options.host.includes(':') ? `[${options.host}]` : options.host;
  origin = `http://${hostName}:${port}`;
  allowedHosts = new Set([`${hostName}:${port}`, ...(options.host === '127.0.0.1' || options.host === '::1' ? [`localhost:${port}`] : [])]);
  return {
    url: `${origin}/`,
    ready,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ready.catch(() => undefined);
      for (const file of files) await file.index.close();
    },
  };
}

function countKinds(facets: FacetColumns): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let n = 0; n < facets.size; n++) {
    const kind = facets.kind(n);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** A line of text to show in the list: the first user turn or prompt, else the start of the JSON. */
function excerptOf(record: Record<string, unknown> | null, value: unknown, text: string): string {
  let source = text;
  if (record) {
    const messages = Array.isArray(record.messages) ? record.messages : Array.isArray(record.conversation) ? record.conversation : null;
    const firstUser = messages?.find((m): m is Record<string, unknown> => isJsonObject(m) && m.role === 'user');
    const prompt = firstUser?.content ?? record.prompt ?? record.instruction ?? record.question ?? record.text;
    if (typeof prompt === 'string') source = prompt;
    else if (Array.isArray(prompt)) source = JSON.stringify(prompt);
  } else if (typeof value === 'object' && value !== null && typeof (value as { input?: unknown }).input === 'string') {
    source = (value as { input: string }).input;
  }
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `a label request is at most ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// A stand-in for the Hugging Face Hub's API on 127.0.0.1, in the mock server's spirit:
// exactly the calls @huggingface/hub makes to read a dataset (revision info, the file
// tree, paths-info, ranged downloads of resolve/), with private repositories behind a
// token, and counters a test can read (files downloaded).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRepo {
  files: Record<string, string | Buffer>;
  private?: boolean;
  /** Branches other than main, each with its own files. */
  branches?: Record<string, Record<string, string | Buffer>>;
}

interface Revision {
  sha: string;
  files: Map<string, Buffer>;
}

export interface HubStandIn {
  /** The Hub's address, for HF_ENDPOINT. */
  url: string;
  /** Full downloads (not size probes) by repository path. */
  downloads: Map<string, number>;
  /** Requests refused for want of a token. */
  unauthorised: number;
  close(): Promise<void>;
}

export async function startHubStandIn(repos: Record<string, StandInRepo>, token: string, pageSize = 50): Promise<HubStandIn> {
  const revisions = new Map<string, Map<string, Revision>>();
  for (const [name, repo] of Object.entries(repos)) {
    const byRev = new Map<string, Revision>();
    for (const [branch, files] of Object.entries({ main: repo.files, ...repo.branches })) {
      const buffers = new Map(Object.entries(files).map(([p, c]) => [p, Buffer.from(c)]));
      const hash = createHash('sha1');
      for (const [p, b] of [...buffers].sort(([a], [b]) => a.localeCompare(b))) hash.update(p).update(b);
      const revision = { sha: hash.digest('hex'), files: buffers };
      byRev.set(branch, revision);
      byRev.set(revision.sha, revision);
    }
    revisions.set(name, byRev);
  }
  const oid = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
  const lfsOid = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const state = { downloads: new Map<string, number>(), unauthorised: 0 };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const find = (req: IncomingMessage, res: ServerResponse, repo: string, rev: string): Revision | null => {
    const known = revisions.get(repo);
    if (!known) {
      send(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
      return null;
    }
    if (repos[repo]!.private && req.headers.authorization !== `Bearer ${token}`) {
      state.unauthorised++;
      send(res, 401, { error: 'Invalid credentials in Authorization header' });
      return null;
    }
    const revision = known.get(decodeURIComponent(rev));
    if (!revision) send(res, 404, { error: `Invalid rev id: ${rev}` }, { 'x-error-code': 'RevisionNotFound' });
    return revision ?? null;
  };
  const entry = (path: string, b: Buffer, sha: string) => ({
    type: 'file',
    path,
    size: b.length,
    oid: oid(b),
    lfs: { oid: lfsOid(b), size: b.length, pointerSize: 134 },
    lastCommit: { id: sha, title: 'upload', date: '2026-11-01T00:00:00.000Z' },
  });

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(p))) {
      const revision = find(req, res, m[1]!, m[2]!);
      if (revision) send(res, 200, { _id: m[1], id: m[1], sha: revision.sha, private: repos[m[1]!]!.private ?? false, downloads: 0, likes: 0, gated: false, lastModified: '2026-11-01T00:00:00.000Z' });
      return;
    }
    if (req.method === 'GET' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(p))) {
      const revision = find(req, res, m[1]!, m[2]!);
      if (!revision) return;
      const under = m[3] ? `${decodeURIComponent(m[3])}/` : '';
      const all = [...revision.files].filter(([path]) => path.startsWith(under)).map(([path, b]) => entry(path, b, revision.sha));
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const page = all.slice(start, start + pageSize);
      const next: Record<string, string> = start + pageSize < all.length ? { link: `<${origin}${p}?recursive=true&expand=false&cursor=${start + pageSize}>; rel="next"` } : {};
      send(res, 200, page, next);
      return;
    }
    if (req.method === 'POST' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/paths-info\/([^/]+)$/.exec(p))) {
      const [repo, rev] = [m[1]!, m[2]!];
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const revision = find(req, res, repo, rev);
        if (!revision) return;
        const { paths } = JSON.parse(body) as { paths: string[] };
        send(
          res,
          200,
          paths.filter((path) => revision.files.has(path)).map((path) => entry(path, revision.files.get(path)!, revision.sha)),
        );
      });
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && (m = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p))) {
      const revision = find(req, res, m[1]!, m[2]!);
      if (!revision) return;
      const path = decodeURIComponent(m[3]!);
      const content = revision.files.get(path);
      if (!content) return send(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
      const headers = { etag: `"${lfsOid(content)}"`, 'x-repo-commit': revision.sha, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const from = Number(range[1]);
        const to = range[2] ? Math.min(Number(range[2]), content.length - 1) : content.length - 1;
        if (!(from === 0 && to === 0)) state.downloads.set(path, (state.downloads.get(path) ?? 0) + 1);
        res.writeHead(206, { ...headers, 'content-range': `bytes ${from}-${to}/${content.length}`, 'content-length': String(to - from + 1) });
        res.end(req.method === 'HEAD' ? undefined : content.subarray(from, to + 1));
        return;
      }
      state.downloads.set(path, (state.downloads.get(path) ?? 0) + 1);
      res.writeHead(200, { ...headers, 'content-length': String(content.length) });
      res.end(req.method === 'HEAD' ? undefined : content);
      return;
    }
    send(res, 404, { error: `the stand-in Hub has no ${req.method} ${p}` });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    downloads: state.downloads,
    get unauthorised() {
      return state.unauthorised;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

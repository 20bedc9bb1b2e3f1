// A stand-in for the Hugging Face Hub's API on 127.0.0.1, in the mock server's spirit:
// exactly the calls @huggingface/hub makes to read a dataset (revision info, the file
// tree, paths-info, ranged downloads of resolve/) and to push one (create the repository
// or a branch, preupload, the LFS batch API and basic PUT uploads, the NDJSON commit),
// with private repositories behind a token, and counters a test can read.
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
  /** LFS objects received (PUT), and commits made. */
  uploads: number;
  commits: number;
  /** Makes each LFS upload after the next `n` fail with a 500, as a push killed midway would stop (null: none fail). */
  failUploadsAfter(n: number | null): void;
  /** Holds the upload after the next `n` without an answer; resolves when one is held (so a test can kill the pusher then). */
  holdUploadAfter(n: number): Promise<void>;
  /** A repository's files at a revision (a branch or commit), or null. */
  files(repo: string, revision?: string): Map<string, Buffer> | null;
  /** Whether a repository is private (created private, or declared so). */
  isPrivate(repo: string): boolean | null;
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
  const state = {
    downloads: new Map<string, number>(),
    unauthorised: 0,
    uploads: 0,
    commits: 0,
    failAfter: null as number | null,
    holdAfter: null as number | null,
    held: null as (() => void) | null,
  };
  const privacy = new Map(Object.entries(repos).map(([name, repo]) => [name, repo.private ?? false]));
  /** LFS storage: objects by sha256, shared by every repository (as the Hub's is content-addressed). */
  const objects = new Map<string, Buffer>();
  const commitSha = (files: Map<string, Buffer>, parent: string): string => {
    const hash = createHash('sha1').update(parent);
    for (const [p, b] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(p).update(b);
    return hash.digest('hex');
  };
  const authorised = (req: IncomingMessage): boolean => req.headers.authorization === `Bearer ${token}`;
  const body = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });

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
    if (privacy.get(repo) && !authorised(req)) {
      state.unauthorised++;
      send(res, 401, { error: 'Invalid credentials in Authorization header' });
      return null;
    }
    // HEAD is the default branch, as on the Hub.
    const revision = known.get(rev === 'HEAD' ? 'main' : decodeURIComponent(rev));
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
      if (revision) send(res, 200, { _id: m[1], id: m[1], sha: revision.sha, private: privacy.get(m[1]!) ?? false, downloads: 0, likes: 0, gated: false, lastModified: '2026-11-01T00:00:00.000Z' });
      return;
    }
    if (req.method === 'GET' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(p))) {
      const revision = find(req, res, m[1]!, m[2]!);
      if (!revision) return;
      const under = m[3] ? `${decodeURIComponent(m[3])}/` : '';
      const all = [...revision.files].filter(([path]) => path.startsWith(under)).map(([path, b]) => entry(path, b, revision.sha));
      // As the Hub answers for a folder that is not there.
      if (under && all.length === 0) return send(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
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
    void writes(req, res, p).then((handled) => {
      if (!handled) send(res, 404, { error: `the stand-in Hub has no ${req.method} ${p}` });
    });
  });

  /** The calls a push makes; false when the request is none of them. */
  const writes = async (req: IncomingMessage, res: ServerResponse, p: string): Promise<boolean> => {
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && p === '/api/repos/create') {
      const asked = JSON.parse((await body(req)).toString()) as { name: string; organization: string; type: string; visibility?: string };
      if (!authorised(req)) return (send(res, 401, { error: 'Invalid credentials' }), true);
      const name = `${asked.organization}/${asked.name}`;
      if (revisions.has(name)) return (send(res, 409, { error: 'You already created this dataset repo' }), true);
      const empty = { sha: commitSha(new Map(), 'init'), files: new Map<string, Buffer>() };
      revisions.set(
        name,
        new Map([
          ['main', empty],
          [empty.sha, empty],
        ]),
      );
      privacy.set(name, asked.visibility === 'private');
      return (send(res, 200, { url: `${origin}/datasets/${name}`, id: name }), true);
    }
    if (req.method === 'POST' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/branch\/([^/]+)$/.exec(p))) {
      await body(req);
      const main = find(req, res, m[1]!, 'main');
      if (!main) return true;
      revisions.get(m[1]!)!.set(decodeURIComponent(m[2]!), main);
      return (send(res, 200, {}), true);
    }
    if (req.method === 'POST' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/preupload\/([^/]+)$/.exec(p))) {
      const asked = JSON.parse((await body(req)).toString()) as { files: Array<{ path: string }> };
      if (!find(req, res, m[1]!, 'main')) return true;
      // As the Hub does by its .gitattributes: binary data files go to LFS storage, text in the commit.
      send(res, 200, { files: asked.files.map((f) => ({ path: f.path, uploadMode: /\.(parquet|arrow)$/.test(f.path) ? 'lfs' : 'regular' })) });
      return true;
    }
    if (req.method === 'POST' && (m = /^\/datasets\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(p))) {
      const asked = JSON.parse((await body(req)).toString()) as { objects: Array<{ oid: string; size: number }> };
      if (!authorised(req)) return (send(res, 401, { message: 'Invalid credentials' }), true);
      const answer = asked.objects.map((o) => (objects.has(o.oid) ? { oid: o.oid, size: o.size } : { oid: o.oid, size: o.size, actions: { upload: { href: `${origin}/lfs-upload/${o.oid}` } } }));
      send(res, 200, { transfer: 'basic', objects: answer }, { 'content-type': 'application/vnd.git-lfs+json' });
      return true;
    }
    if (req.method === 'PUT' && (m = /^\/lfs-upload\/([0-9a-f]{64})$/.exec(p))) {
      if (state.holdAfter !== null && state.holdAfter-- <= 0) {
        // Never answered: the pusher is killed while it waits.
        state.holdAfter = null;
        state.held?.();
        return true;
      }
      const content = await body(req);
      if (state.failAfter !== null && state.failAfter-- <= 0) return (send(res, 500, { error: 'storage unavailable' }), true);
      if (lfsOid(content) !== m[1]) return (send(res, 400, { error: 'content does not match its oid' }), true);
      objects.set(m[1]!, content);
      state.uploads++;
      res.writeHead(200);
      res.end();
      return true;
    }
    if (req.method === 'POST' && (m = /^\/api\/datasets\/([^/]+\/[^/]+)\/commit\/([^/]+)$/.exec(p))) {
      const lines = (await body(req))
        .toString()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { key: string; value: Record<string, string> });
      if (!authorised(req)) return (send(res, 401, { error: 'Invalid credentials' }), true);
      const branch = decodeURIComponent(m[2]!);
      const parent = find(req, res, m[1]!, branch);
      if (!parent) return true;
      const files = new Map(parent.files);
      for (const { key, value } of lines) {
        if (key === 'file') files.set(value.path!, Buffer.from(value.content!, 'base64'));
        else if (key === 'lfsFile') {
          const object = objects.get(value.oid!);
          if (!object) return (send(res, 422, { error: `LFS object ${value.oid} was never uploaded` }), true);
          files.set(value.path!, object);
        } else if (key === 'deletedFile') files.delete(value.path!);
      }
      const revision = { sha: commitSha(files, parent.sha), files };
      revisions.get(m[1]!)!.set(branch, revision).set(revision.sha, revision);
      state.commits++;
      send(res, 200, { commitOid: revision.sha, commitUrl: `${origin}/datasets/${m[1]}/commit/${revision.sha}`, success: true });
      return true;
    }
    return false;
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    downloads: state.downloads,
    get unauthorised() {
      return state.unauthorised;
    },
    get uploads() {
      return state.uploads;
    },
    get commits() {
      return state.commits;
    },
    failUploadsAfter(n) {
      state.failAfter = n;
    },
    holdUploadAfter(n) {
      state.holdAfter = n;
      return new Promise<void>((resolve) => {
        state.held = resolve;
      });
    },
    files(repo, revision = 'main') {
      return revisions.get(repo)?.get(revision)?.files ?? null;
    },
    isPrivate(repo) {
      return privacy.get(repo) ?? null;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

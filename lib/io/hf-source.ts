import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chooseSplits, dataFilesOf, type DataFile } from './dataset-folder.js';

/** A dataset on the Hugging Face Hub, as `hf://datasets/OWNER/NAME[@REVISION][/PATH]` names it. */
export interface HfDatasetUrl {
  repo: string;
  revision: string;
  /** A folder or file inside the repository ('' for all of it). */
  path: string;
}

export function parseHfUrl(url: string): HfDatasetUrl | { error: string } | null {
  if (!url.startsWith('hf://')) return null;
  const m = /^hf:\/\/datasets\/([\w.-]+\/[\w.-]+?)(?:@([^/]+))?(?:\/(.*))?$/.exec(url);
  if (!m) return { error: `${url}: a Hub dataset is named hf://datasets/OWNER/NAME, optionally @REVISION and /PATH` };
  return { repo: m[1]!, revision: m[2] ? decodeURIComponent(m[2]) : 'main', path: (m[3] ?? '').replace(/\/+$/, '') };
}

export interface HubAccess {
  /** HF_ENDPOINT, else the Hub. */
  hubUrl: string;
  /** HF_TOKEN, when set (never printed). */
  accessToken?: string;
  /** HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub: the cache Python's huggingface_hub uses. */
  cacheDir: string;
}

export function hubAccessFrom(env: NodeJS.ProcessEnv): HubAccess {
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return {
    hubUrl: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    ...(env.HF_TOKEN ? { accessToken: env.HF_TOKEN } : {}),
    cacheDir: env.HF_HUB_CACHE ?? join(home, 'hub'),
  };
}

/**
 * The data files of a Hub dataset, fetched through the official client into the standard
 * cache layout (datasets--OWNER--NAME/blobs, snapshots/COMMIT/PATH, refs/REVISION), so a
 * file Python's `datasets` already fetched is not fetched again, and neither is one we
 * fetched before. The revision is resolved to its commit first; only the files of the
 * splits asked for are fetched, each streamed to disk.
 */
export async function fetchHubDataset(url: HfDatasetUrl, splits: readonly string[] | undefined, access: HubAccess, say: (message: string) => void): Promise<{ files: DataFile[] } | { error: string }> {
  const hub = await import('@huggingface/hub');
  const credentials = { hubUrl: access.hubUrl, ...(access.accessToken ? { accessToken: access.accessToken } : {}) };
  const name = `hf://datasets/${url.repo}${url.revision === 'main' ? '' : `@${url.revision}`}`;
  let commit: string;
  const listed: Array<{ name: string; repoPath: string }> = [];
  try {
    const info = await hub.datasetInfo({ name: url.repo, revision: url.revision, additionalFields: ['sha'], ...credentials });
    commit = (info as { sha?: string }).sha ?? '';
    if (!/^[0-9a-f]{40}$/.test(commit)) return { error: `${name}: the Hub did not say which commit ${url.revision} is` };
    for await (const entry of hub.listFiles({ repo: { type: 'dataset', name: url.repo }, revision: commit, path: url.path || undefined, recursive: true, ...credentials })) {
      if (entry.type !== 'file') continue;
      const inside = url.path && entry.path.startsWith(`${url.path}/`) ? entry.path.slice(url.path.length + 1) : entry.path;
      listed.push({ name: inside, repoPath: entry.path });
    }
  } catch (err) {
    return { error: `${name}: ${hubMessage(err)}` };
  }
  const candidates = dataFilesOf(listed.map((f) => ({ name: f.name, path: f.repoPath })));
  const chosen = chooseSplits(name, candidates, splits);
  if ('error' in chosen) return chosen;
  const storage = join(access.cacheDir, `datasets--${url.repo.replace('/', '--')}`);
  const local: DataFile[] = [];
  // The client says "Downloading …" with console.debug, which is stdout: our data only goes there.
  const debug = console.debug;
  console.debug = () => undefined;
  try {
    for (const file of chosen.files) {
      const path = await hub.downloadFileToCacheDir({ repo: { type: 'dataset', name: url.repo }, path: file.path, revision: commit, cacheDir: access.cacheDir, ...credentials });
      local.push({ ...file, path });
    }
  } catch (err) {
    return { error: `${name}: ${hubMessage(err)}` };
  } finally {
    console.debug = debug;
  }
  // As huggingface_hub does: the revision's commit, so an offline reader finds the snapshot.
  await mkdir(join(storage, 'refs'), { recursive: true });
  if (!/^[0-9a-f]{40}$/.test(url.revision)) await writeFile(join(storage, 'refs', url.revision), commit);
  say(`${name} at ${commit.slice(0, 12)}: ${local.length} file${local.length === 1 ? '' : 's'} in ${storage}`);
  return { files: local };
}

/** The client's error, without anything that could hold the token. */
function hubMessage(err: unknown): string {
  const e = err as { statusCode?: number; message?: string };
  const message = String(e.message ?? err).replace(/hf_[A-Za-z0-9]+/g, 'hf_…');
  if (e.statusCode === 401) return 'not authorised (set HF_TOKEN to a token that can read it)';
  if (e.statusCode === 404) return 'no such dataset or revision on the Hub (or it is private: set HF_TOKEN)';
  return message;
}

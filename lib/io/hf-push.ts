import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HfDatasetUrl, HubAccess } from './hf-source.js';

/**
 * Pushes a dataset folder (shards under data/ and README.md, as --output DIR/ writes it)
 * to a Hub dataset in one commit, through the official client: the repository is created
 * private when it does not exist, a branch when the URL names one that does not, and the
 * split's shards from an earlier push that this one does not have are deleted in the same
 * commit. Large files go through the Hub's LFS storage first; a push that is killed while
 * uploading leaves the revision as it was (the commit comes last), and the next push
 * uploads only what the storage does not have yet.
 */
export async function pushDatasetFolder(dir: string, url: HfDatasetUrl, access: HubAccess, say: (message: string) => void): Promise<{ commit: string } | { error: string }> {
  const name = `hf://datasets/${url.repo}${url.revision === 'main' ? '' : `@${url.revision}`}`;
  if (!access.accessToken) return { error: `${name}: pushing needs HF_TOKEN (a token with write access)` };
  const hub = await import('@huggingface/hub');
  const repo = { type: 'dataset' as const, name: url.repo };
  const credentials = { hubUrl: access.hubUrl, accessToken: access.accessToken };
  const local = await folderFiles(dir);
  const splits = new Set(local.map((f) => /^data\/(.+)-\d{5}-of-\d{5}\.[a-z]+$/.exec(f)?.[1]).filter((s): s is string => s !== undefined));
  try {
    if (!(await exists(() => hub.datasetInfo({ name: url.repo, ...credentials })))) {
      await hub.createRepo({ repo, private: true, ...credentials });
      say(`${name}: created (private)`);
    }
    if (url.revision !== 'main' && !(await exists(() => hub.datasetInfo({ name: url.repo, revision: url.revision, ...credentials })))) {
      await hub.createBranch({ repo, branch: url.revision, ...credentials });
    }
    // Shards of the splits pushed now that the folder no longer has: one commit replaces the split.
    const stale: string[] = [];
    await exists(async () => {
      for await (const entry of hub.listFiles({ repo, revision: url.revision, path: 'data', ...credentials })) {
        const split = /^data\/(.+)-\d{5}-of-\d{5}\.[a-z]+$/.exec(entry.path)?.[1];
        if (entry.type === 'file' && split && splits.has(split) && !local.includes(entry.path)) stale.push(entry.path);
      }
    });
    const output = await hub.commit({
      repo,
      ...credentials,
      branch: url.revision,
      title: `Add ${local.length} files from sygra-stream`,
      operations: [...local.map((path) => ({ operation: 'addOrUpdate' as const, path, content: pathToFileURL(join(dir, path)) })), ...stale.map((path) => ({ operation: 'delete' as const, path }))],
      // The Hub's LFS storage, which every Hub and mirror serves (Xet is optional on its side).
      useXet: false,
    });
    const commit = output?.commit.oid ?? '';
    say(`${name}: pushed ${local.length} files in commit ${commit.slice(0, 12)}${stale.length ? `, removing ${stale.length} old shards` : ''}`);
    return { commit };
  } catch (err) {
    const e = err as { statusCode?: number; message?: string };
    const message = e.statusCode === 401 || e.statusCode === 403 ? 'not allowed (HF_TOKEN needs write access to it)' : String(e.message ?? err).replace(/hf_[A-Za-z0-9]+/g, 'hf_…');
    return { error: `${name}: ${message}` };
  }
}

/** The folder's files to push: README.md and data/…, nothing hidden. */
async function folderFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of await readdir(dir)) if (name === 'README.md') files.push(name);
  for (const name of await readdir(join(dir, 'data'))) if (!name.startsWith('.')) files.push(`data/${name}`);
  return files.sort();
}

/** True when the call succeeds, false on 404; other failures are thrown. */
async function exists(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

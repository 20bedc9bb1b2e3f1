// Starts `sygra-stream mock-server` as its own process on 127.0.0.1, as users and CI do.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { startCli } from './cli-process.js';

export interface MockServerProcess {
  url: string;
  stats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startMockServer(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<MockServerProcess> {
  const child: ChildProcess = startCli(['mock-server', ...args], { env });
  child.stdin!.end();
  child.stderr!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`mock-server exited ${code}`)));
  });
  return {
    url,
    async stats() {
      const res = await request(url.replace(/\/v1$/, '/stats'));
      return (await res.body.json()) as Record<string, number>;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// A forward proxy on 127.0.0.1 that tunnels CONNECT requests, as corporate proxies do,
// optionally asking for Basic credentials. It counts the tunnels it opened.
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ConnectProxy {
  url: string;
  tunnels: number;
  refused: number;
  close(): Promise<void>;
}

export async function startConnectProxy(credentials?: { user: string; password: string }): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405).end('this proxy only tunnels (CONNECT)');
  });
  const proxy: ConnectProxy = {
    url: '',
    tunnels: 0,
    refused: 0,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    const expected = credentials ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` : undefined;
    if (expected && req.headers['proxy-authorization'] !== expected) {
      proxy.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      proxy.tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const auth = credentials ? `${credentials.user}:${credentials.password}@` : '';
  proxy.url = `http://${auth}127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

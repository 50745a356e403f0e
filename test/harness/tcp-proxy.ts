// A TCP proxy on 127.0.0.1 between a client under test and a real server, for fault injection:
// `down()` resets every open connection and every new one (the client sees "connection reset"
// or EOF) until `up()`. TLS passes through untouched, so certificates still verify.
import * as net from 'net';

export interface TcpProxy {
  port: number;
  down(): void;
  up(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let broken = false;
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (broken) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => undefined);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const down = () => {
    broken = true;
    for (const socket of sockets) socket.resetAndDestroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    down,
    up: () => {
      broken = false;
    },
    stop: async () => {
      down();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

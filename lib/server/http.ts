import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { drainServer, trackInFlight } from './shutdown.js';

export interface Listening {
  url: string;
  port: number;
  /** Graceful: finishes the requests in flight, cuts what is left at `deadline` (lib/server/shutdown.ts). */
  close(deadline?: number): Promise<void>;
}

/** Listening is separate from building, so tests can boot every piece in-process on port 0. */
export async function listen(
  app: Express,
  port: number,
  host = '127.0.0.1',
): Promise<Listening & { server: http.Server }> {
  const server = http.createServer(app);
  // Behind the gateway's keep-alive agent: keep idle sockets longer than the agent does.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  trackInFlight(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    close: async (deadline?: number) => {
      await drainServer(server, app, deadline);
    },
  };
}

import type http from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import { settings } from '../config.js';
import { logger } from '../observability/logger.js';
import { httpInFlight } from '../observability/metrics.js';

/**
 * Graceful shutdown. A piece that is told to stop:
 *  1. marks its apps draining: `/health` answers 503 (a load balancer takes it out of rotation)
 *     and every response carries `Connection: close`, so keep-alive clients open new sockets
 *     elsewhere instead of queueing on this one;
 *  2. stops accepting connections (`server.close()`) and closes idle keep-alive sockets, again
 *     every 100 ms, as busy sockets become idle once their response is sent;
 *  3. waits for the requests already received (the subgraphs' background work is stopped
 *     meanwhile: no new claims, the current run finishes and clears its lease);
 *  4. closes the pools and exits 0;
 * and only when SHUTDOWN_GRACE_MS passes first are the remaining connections cut (exit 1).
 */

const draining = new WeakSet<object>();
/** Requests cut by a grace period running out, in this process (the exit code says so). */
let cutRequests = 0;
const inFlight = new WeakMap<http.Server, number>();

/** Counts the requests a server is working on (reported when the grace period cuts them). */
export function trackInFlight(server: http.Server): void {
  inFlight.set(server, 0);
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.set(server, (inFlight.get(server) ?? 0) + 1);
    httpInFlight.inc();
    res.once('close', () => {
      inFlight.set(server, (inFlight.get(server) ?? 1) - 1);
      httpInFlight.dec();
    });
  });
}

export function markDraining(app: Express): void {
  draining.add(app);
}

export function isDraining(app: Express): boolean {
  return draining.has(app);
}

/**
 * Express middleware, installed first on every piece: while draining, `/health` is 503 and no
 * connection is kept alive after its response.
 */
export function drainGuard(req: Request, res: Response, next: NextFunction): void {
  if (!draining.has(req.app)) {
    next();
    return;
  }
  res.setHeader('connection', 'close');
  if (req.path === '/health') {
    res.status(503).json({ status: 'unavailable', reason: 'shutting down' });
    return;
  }
  next();
}

/**
 * Stops `server` gracefully: no new connections, idle ones closed, in-flight requests finished.
 * Resolves when every connection has ended, or cuts the rest at `deadline` (epoch ms) and then
 * resolves with the number of requests that were still open.
 */
export function drainServer(
  server: http.Server,
  app: Express | undefined,
  deadline = Date.now() + settings.shutdownGraceMs(),
): Promise<number> {
  if (app) markDraining(app);
  return new Promise<number>((resolve) => {
    let cut = 0;
    const idle = setInterval(() => {
      server.closeIdleConnections();
    }, 100);
    const timer = setTimeout(
      () => {
        cut = Math.max(inFlight.get(server) ?? 0, 1);
        cutRequests += cut;
        logger.warn(
          { requests: inFlight.get(server) ?? 0 },
          'shutdown: grace period over, cutting the remaining connections',
        );
        server.closeAllConnections();
      },
      Math.max(0, deadline - Date.now()),
    );
    idle.unref();
    timer.unref();
    if (!server.listening) {
      clearInterval(idle);
      clearTimeout(timer);
      resolve(0);
      return;
    }
    server.close(() => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve(cut);
    });
    server.closeIdleConnections();
  });
}

export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Runs `steps` in order on the first SIGTERM or SIGINT, logging each, then exits: 0 when all of
 * them finished before SHUTDOWN_GRACE_MS, 1 when the grace period ran out (the steps' servers
 * cut their remaining connections at the deadline themselves). A second signal exits at once.
 */
export function onShutdownSignals(piece: string, steps: (deadline: number) => ShutdownStep[]): void {
  let started = false;
  const log = logger.child({ piece });
  const handler = (signal: NodeJS.Signals) => {
    // Ctrl-C reaches every process of the group and a cluster primary signals its workers too:
    // a repeated signal changes nothing (the grace timer bounds the wait anyway).
    if (started) {
      log.info({ signal }, 'shutdown: already draining');
      return;
    }
    started = true;
    const graceMs = settings.shutdownGraceMs();
    const deadline = Date.now() + graceMs;
    const begun = performance.now();
    const force = setTimeout(() => {
      log.error({ graceMs }, 'shutdown: grace period over, exiting with work unfinished');
      process.exit(1);
    }, graceMs + 1000);
    force.unref();
    // Building the steps starts the drain (servers closed, /health 503), then it is announced.
    const list = steps(deadline);
    log.info({ signal, graceMs }, 'shutdown: draining');
    void (async () => {
      let clean = true;
      for (const step of list) {
        try {
          await step.run();
          log.info({ step: step.name, ms: Math.round(performance.now() - begun) }, `shutdown: ${step.name}`);
        } catch (error) {
          clean = false;
          log.error({ step: step.name, err: error }, `shutdown: ${step.name} failed`);
        }
      }
      if (cutRequests > 0) clean = false;
      log.info({ ms: Math.round(performance.now() - begun), clean, cutRequests }, 'shutdown: done');
      process.exit(clean ? 0 : 1);
    })();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

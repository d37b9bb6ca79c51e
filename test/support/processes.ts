import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { PieceName, SubgraphName } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../lib/server/subgraph.js';

/**
 * Pieces as real child processes (`scripts/start-piece.ts`, the production shape), for the fault
 * tests: a process can be killed, stopped (SIGSTOP: a hang) and started again on the same port.
 */

/** A port nobody listens on right now (the OS picks it; we release it for the child). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Polls `check` (synchronous or not) until it returns a value (not undefined/false) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** GET `url` and return its status (undefined when nothing answers within `timeoutMs`). */
export async function statusOf(url: string, timeoutMs = 3000): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

const PORT_ENV: Record<PieceName, string> = {
  gateway: 'PORT',
  customers: 'CUSTOMERS_PORT',
  catalog: 'CATALOG_PORT',
  'learner-credit': 'LEARNER_CREDIT_PORT',
  subscriptions: 'SUBSCRIPTIONS_PORT',
};

const URL_ENV: Record<SubgraphName, string> = {
  customers: 'CUSTOMERS_URL',
  catalog: 'CATALOG_URL',
  'learner-credit': 'LEARNER_CREDIT_URL',
  subscriptions: 'SUBSCRIPTIONS_URL',
};

/** `<NAME>_URL` variables for every subgraph on `ports`. */
export function subgraphUrlEnv(ports: Record<SubgraphName, number>): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(ports) as SubgraphName[]).map((name) => [URL_ENV[name], `http://127.0.0.1:${ports[name]}/graphql`]),
  );
}

export class PieceProcess {
  child: ChildProcess | undefined;
  /** The last lines the process printed, shown when it fails to start. */
  private output: string[] = [];

  constructor(
    readonly piece: PieceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the piece and waits until its `/health` answers (200 unless `expectHealthy` is false). */
  async start({ expectHealthy = true }: { expectHealthy?: boolean } = {}): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'start-piece.ts'), this.piece],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, HOST: '127.0.0.1', ...this.env, [PORT_ENV[this.piece]]: String(this.port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      this.output = this.output.slice(-40);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await waitFor(`${this.piece} to answer /health`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.piece} exited (${child.exitCode ?? child.signalCode}):\n${this.output.join('\n')}`);
      }
      const status = await statusOf(`${this.url}/health`);
      return expectHealthy ? status === 200 : status !== undefined;
    }).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\n--- ${this.piece} output ---\n${this.output.join('\n')}`);
    });
  }

  /** Sends `signal` and, unless it only pauses or resumes the process, waits for the exit. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      process.kill(child.pid, signal);
      return;
    }
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    process.kill(child.pid, signal);
    await exited;
  }

  /** Cleanup: resumes a stopped process, then kills it. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await this.signal('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
}

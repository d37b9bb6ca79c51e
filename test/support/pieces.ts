import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { PieceName } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../lib/server/subgraph.js';

/**
 * One piece started the way production starts it (`scripts/start-piece.ts <piece>` in its own
 * process, with the tracing register file preloaded like `npm run start:<piece>`), its stdout
 * read line by line.
 */
export interface PieceProcess {
  piece: PieceName;
  /** `http://127.0.0.1:<port>` once it listens. */
  url: string;
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Every stdout line so far. */
  lines: string[];
  /** Output of both streams, for failure messages. */
  output(): string;
  /** Resolves with the first line (from now or already printed) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

const URL_LINE = /\[(?:gateway|customers|catalog|learner-credit|subscriptions)\] (http:\/\/[\d.]+:\d+)\/graphql/;

export async function startPiece(
  piece: PieceName,
  env: Record<string, string>,
  options: { urlLines?: number } = {},
): Promise<PieceProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      './lib/observability/register.ts',
      path.join(PROJECT_ROOT, 'scripts', 'start-piece.ts'),
      piece,
    ],
    // LOG_LEVEL=info: `npm test` runs at warn, but the pieces' start-up and shutdown lines are info.
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', REDIS_URL: '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  const output = () => `${lines.join('\n')}\n${partial}\n${stderr}`;
  const waitForLine = (match: (line: string) => boolean, what: string, timeoutMs = 90_000) => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${piece}: no ${what} within ${timeoutMs} ms:\n${output()}`));
      }, timeoutMs);
      waiters.add(waiter);
      void exited.then((code) => {
        if (!waiters.has(waiter)) return;
        waiters.delete(waiter);
        clearTimeout(timer);
        reject(new Error(`${piece} exited with ${code} before ${what}:\n${output()}`));
      });
    });
  };
  // A GATEWAY_WORKERS primary's workers each print their URL (the same port).
  const wanted = options.urlLines ?? 1;
  const line = await waitForLine(
    () => lines.filter((l) => URL_LINE.test(l)).length >= wanted,
    `its URL line x${wanted}`,
  );
  const url = URL_LINE.exec(lines.find((l) => URL_LINE.test(l)) ?? line)![1]!;
  return {
    piece,
    url,
    child,
    lines,
    output,
    waitForLine,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** JSON log lines of a piece (pino), skipping anything else. */
export function jsonLines(piece: PieceProcess): Record<string, unknown>[] {
  return piece.lines.flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return isRecord(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

export const urlEnvName = (name: string) => `${name.toUpperCase().replace(/-/g, '_')}_URL`;

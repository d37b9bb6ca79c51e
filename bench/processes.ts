import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/server/subgraph.js';

export interface Piece {
  name: string;
  url: string;
  process: ChildProcess;
}

/** Starts a process and resolves once `healthUrl` answers 200 (or rejects after `timeoutMs`). */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  healthUrl: string,
  timeoutMs = 60_000,
): Promise<ChildProcess> {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr}`);
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
      if (response.ok) {
        // A piece that dies mid-run says why (the bench then fails on its next scrape or request).
        child.once('exit', (code, signal) => {
          if (!stopping.has(child)) console.error(`[bench] ${name} exited (${signal ?? code}) mid-run:\n${stderr}`);
        });
        return child;
      }
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become healthy at ${healthUrl}:\n${stderr}`);
}

export function tsxArgs(script: string, ...args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, script), ...args]];
}

/** Children being stopped on purpose (their exit is not reported). */
const stopping = new WeakSet<ChildProcess>();

export async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  for (const child of children) stopping.add(child);
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => {
            resolve();
          });
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux unless configured otherwise). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** `pid` and every descendant (a gateway's workers, Hive's forks, tsx's esbuild service). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  // The loop also visits the children it appends.
  for (const current of pids) {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${current}/task`);
    } catch {
      continue; // exited
    }
    for (const task of tasks) {
      try {
        const children = fs.readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      } catch {
        // the thread ended
      }
    }
  }
  return pids;
}

/** utime + stime of the processes, in clock ticks (processes that exited count 0). */
export function cpuTicks(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: fields are counted after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return total;
}

/** MariaDB's (or MySQL's) server process on this machine, when there is one. */
export function databaseServerPid(): number | undefined {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pgrep', ['-x', '-o', name], { encoding: 'utf8' }).trim());
      if (pid) return pid;
    } catch {
      // not running under that name
    }
  }
  return undefined;
}

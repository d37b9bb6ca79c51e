import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { waitFor } from './processes.js';

/**
 * A MariaDB server of the test's own (its own data dir, socket and port), so a test can kill it
 * and start it again; the shared server on 3306 is never touched. `--no-defaults` everywhere:
 * the machine's my.cnf (port, socket, datadir of the shared server) must not leak into it.
 */

const SEARCH = ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin', '/usr/local/mysql/bin'];

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function mariadbBinaries(): { mariadbd: string; installDb: string } | undefined {
  const mariadbd = findBinary('mariadbd');
  const installDb = findBinary('mariadb-install-db');
  return mariadbd && installDb ? { mariadbd, installDb } : undefined;
}

export class PrivateMariaDb {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-private-mariadb-'));
  private child: ChildProcess | undefined;
  private log = '';

  constructor(
    private readonly binaries: { mariadbd: string; installDb: string },
    readonly port: number,
  ) {}

  private get datadir(): string {
    return path.join(this.dir, 'data');
  }

  /** `mysql://` URL of database `name` on this server (root, no password: grant tables are off). */
  url(name: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${name}`;
  }

  /** Creates the data directory (once). */
  async install(): Promise<void> {
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    await promisify(execFile)(this.binaries.installDb, [
      '--no-defaults',
      `--datadir=${this.datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...asRoot,
    ]);
  }

  /** Starts mariadbd on the same port and data dir every time, and waits until it answers. */
  async start(): Promise<void> {
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    const child = spawn(
      this.binaries.mariadbd,
      [
        '--no-defaults',
        `--datadir=${this.datadir}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${path.join(this.dir, 'mariadb.pid')}`,
        // No users to manage: a throwaway server reachable only from this machine.
        '--skip-grant-tables',
        '--innodb-buffer-pool-size=32M',
        '--skip-log-bin',
        ...asRoot,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await waitFor(
      'the private mariadbd to accept connections',
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`mariadbd exited:\n${this.log}`);
        const connection = await createConnection({
          host: '127.0.0.1',
          port: this.port,
          user: 'root',
          connectTimeout: 1000,
        });
        await connection.end();
        return true;
      },
      { timeoutMs: 60_000 },
    );
  }

  /** SIGKILL: the server vanishes mid-statement, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child?.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill('SIGKILL');
    await exited;
  }

  /** Cleanup: kills the server and removes its files. */
  async destroy(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

import { pino, type Logger } from 'pino';
import { nodeEnv, settings } from '../config.js';

/**
 * The process's logger: JSON lines on stdout, one object per event, at
 * LOG_LEVEL. A developer at a terminal (`npm start` in development) gets pino-pretty instead;
 * anything piped (production, containers, the tests' child processes) stays JSON.
 */
function createLogger(): Logger {
  // A piped stdout leaves isTTY undefined (Node's typings say boolean): pretty is then falsy.
  const pretty = process.stdout.isTTY && nodeEnv() === 'development';
  return pino({
    level: settings.logLevel(),
    base: { pid: process.pid },
    // Defense in depth: a token never reaches a log line, whatever object is logged.
    redact: {
      paths: ['authorization', '*.authorization', '*.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}

export const logger: Logger = createLogger();

/** The logger of one piece (`gateway`, `customers`, ...): every line names it. */
export function pieceLogger(piece: string): Logger {
  return logger.child({ piece });
}

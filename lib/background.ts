import type { EventEmitter } from 'node:events';
import { logger } from './observability/logger.js';

/**
 * Runs `work` in the background: every `pollMs`, and at once whenever `wake` emits `event`.
 * Runs never overlap; a wake-up during a run schedules exactly one more run after it, so nothing
 * queued meanwhile waits for the next poll. Returns a stopper that waits for the current run.
 */
export function startPoller(options: {
  name: string;
  work: () => Promise<unknown>;
  pollMs: number;
  wake?: { emitter: EventEmitter; event: string };
}): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = options
      .work()
      .then(() => undefined)
      .catch((error: unknown) => {
        logger.error({ err: error, worker: options.name }, `[${options.name}] ${(error as Error).message}`);
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  options.wake?.emitter.on(options.wake.event, kick);
  const timer = setInterval(kick, options.pollMs);
  timer.unref();
  kick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    options.wake?.emitter.off(options.wake.event, kick);
    await running;
  };
}

import type { Kysely } from 'kysely';
import { startPoller } from '../../lib/background.js';
import { settings } from '../../lib/config.js';
import { logger } from '../../lib/observability/logger.js';
import { refreshCrossedContent } from './store/index.js';
import type { CatalogDatabase } from './tables.js';

/**
 * The scheduled refresh of the stored content activity (README "Stored aggregates"): a run is
 * archived, opens or closes enrollment, starts or comes within the starting-soon window by the
 * clock, with no write. Every CATALOG_REFRESH_POLL_MS (and once at start) the memberships of the
 * runs whose dates passed since the last refresh are recomputed. Returns the stopper, which waits
 * for a refresh in progress (graceful shutdown drains it like the outbox relays).
 */
export function startContentRefresh(db: Kysely<CatalogDatabase>): () => Promise<void> {
  return startPoller({
    name: 'catalog-refresh',
    pollMs: settings.catalogRefreshPollMs(),
    work: async () => {
      const crossed = await refreshCrossedContent(db, new Date());
      if (crossed)
        logger.info({ worker: 'catalog-refresh', runs: crossed }, `[catalog-refresh] ${crossed} run(s) crossed a date`);
    },
  });
}

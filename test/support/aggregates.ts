import assert from 'node:assert/strict';
import { checkAllAggregates } from '../../scripts/aggregates.js';
import type { TestStack } from './stack.js';

/** `npm run db:check-aggregates` on the test's database: every stored aggregate equals its recomputation. */
export async function assertAggregatesConsistent(stack: TestStack): Promise<void> {
  assert.deepEqual(await checkAllAggregates(stack.database.db), []);
}

import type { RequestContext } from '../../lib/server/context.js';
import type { LearnerCreditLoaders } from './loaders.js';
import type { LearnerCreditDatabase } from './tables.js';

export type LearnerCreditContext = RequestContext<LearnerCreditDatabase, LearnerCreditLoaders>;

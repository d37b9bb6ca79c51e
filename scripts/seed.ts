/** `npm run db:seed`: migrates, then inserts whatever demo data is missing (idempotent). */
import { settings } from '../lib/config.js';
import { prepareDatabase } from './stack.js';

const database = await prepareDatabase(settings.databaseUrl(), { seed: 'always' });
await database.destroy();
console.log(`Demo data loaded into ${database.dialect} database`);

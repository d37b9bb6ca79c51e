/** `npm run db:migrate`: creates the database if missing and migrates every subgraph's tables. */
import { settings } from '../lib/config.js';
import { prepareDatabase } from './stack.js';

const database = await prepareDatabase(settings.databaseUrl(), { seed: 'never' });
await database.destroy();
console.log(`Migrated ${database.dialect} database`);

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, validate } from 'graphql';
import { aliasBatch } from '../lib/alias-batch.js';
import type { SubgraphName } from '../lib/config.js';
import { loadTypeDefs } from '../lib/server/subgraph.js';
import { RunChecksDocument } from '../subgraphs/customers/__generated__/catalog-operations.js';
import { LearnerCreditCatalogContentDocument } from '../subgraphs/learner-credit/__generated__/catalog-operations.js';
import { LearnerCreditLearnersDocument } from '../subgraphs/learner-credit/__generated__/customers-operations.js';

function validationErrors(callee: SubgraphName, query: string): string[] {
  return validate(buildSubgraphSchema({ typeDefs: loadTypeDefs(callee) }), parse(query)).map((e) => e.message);
}

describe('aliasBatch: one query for a batch of keys', () => {
  it('repeats per-key fields, keeps shared ones once, and splits the answer back in key order', () => {
    const runs = ['course-v1:A+1+T', 'course-v1:B+2+T'];
    const batch = aliasBatch(RunChecksDocument, runs, (key) => ({ key }), { customer: 'c-1' });
    assert.deepEqual(validationErrors('catalog', batch.query), []);
    assert.deepEqual(batch.variables, { customer: 'c-1', key_0: 'course-v1:A+1+T', key_1: 'course-v1:B+2+T' });
    // One enterpriseCatalogs for the batch; a courseRun and a containsContent per key.
    assert.equal(batch.query.match(/enterpriseCatalogs\(/g)?.length, 1);
    assert.match(batch.query, /courseRun_0: courseRun\(key: \$key_0\)/);
    assert.match(batch.query, /containsContent_1: containsContent\(keys: \[\$key_1\]\)/);

    const run = (key: string) => ({
      key,
      title: null,
      start: null,
      end: null,
      pacingType: null,
      weeksToComplete: null,
      minEffort: null,
      maxEffort: null,
      canonicalPriceCents: 100,
      course: { key: 'A+1', title: null },
    });
    const [first, second] = batch.split({
      courseRun_0: run('course-v1:A+1+T'),
      courseRun_1: null,
      catalogs: {
        nodes: [
          { uuid: 'k-1', containsContent_0: true, containsContent_1: false },
          { uuid: 'k-2', containsContent_0: false, containsContent_1: false },
        ],
      },
    });
    assert.ok(first && second);
    assert.equal(first.key, 'course-v1:A+1+T');
    assert.equal(second.key, 'course-v1:B+2+T');
    assert.deepEqual(first.data, {
      courseRun: run('course-v1:A+1+T'),
      catalogs: {
        nodes: [
          { uuid: 'k-1', containsContent: true },
          { uuid: 'k-2', containsContent: false },
        ],
      },
    });
    assert.deepEqual(second.data, {
      courseRun: null,
      catalogs: {
        nodes: [
          { uuid: 'k-1', containsContent: false },
          { uuid: 'k-2', containsContent: false },
        ],
      },
    });
  });

  it('renames the per-key variables of @include / @skip, and leaves skipped fields out of the split', () => {
    const batch = aliasBatch(
      LearnerCreditCatalogContentDocument,
      [
        { catalog: 'k-1', key: 'course-v1:A+1+T', isRun: true },
        { catalog: 'k-2', key: 'A+1', isRun: false },
      ],
      (vars) => vars,
    );
    assert.deepEqual(validationErrors('catalog', batch.query), []);
    assert.match(batch.query, /@include\(if: \$isRun_0\)/);
    assert.match(batch.query, /@skip\(if: \$isRun_1\)/);
    const [run, course] = batch.split({
      enterpriseCatalog_0: { contains: true, run: null },
      enterpriseCatalog_1: { contains: false, course: null },
    });
    assert.deepEqual(run?.data, { enterpriseCatalog: { contains: true, run: null } });
    assert.deepEqual(course?.data, { enterpriseCatalog: { contains: false, course: null } });
  });

  it('sends no value for a per-key variable a key leaves out (the argument is then absent)', () => {
    const batch = aliasBatch(LearnerCreditLearnersDocument, [{ lmsUserId: 7 }, { email: 'a@example.com' }], (key) => ({
      customer: 'c-1',
      ...key,
    }));
    assert.deepEqual(validationErrors('customers', batch.query), []);
    assert.deepEqual(JSON.parse(JSON.stringify(batch.variables)), {
      customer_0: 'c-1',
      lmsUserId_0: 7,
      customer_1: 'c-1',
      email_1: 'a@example.com',
    });
  });

  it('refuses a variable the operation does not declare, and an empty batch', () => {
    const withExtra = (key: string): { key: string } => ({ key, ...{ extra: 1 } });
    assert.throws(
      () => aliasBatch(RunChecksDocument, ['x'], withExtra, { customer: 'c' }),
      /extra is not a per-key variable of RunChecks/,
    );
    assert.throws(
      () => aliasBatch(RunChecksDocument, [], (key: string) => ({ key }), { customer: 'c' }),
      /at least one key/,
    );
  });
});

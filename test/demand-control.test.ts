import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildASTSchema,
  buildSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
} from 'graphql';
import {
  costDirectiveNames,
  costDirectivesFromSdl,
  DEFAULT_LIST_SIZE,
  estimateCost,
} from '../gateway/demand-control.js';
import { SUPERGRAPH_PATH } from '../gateway/gateway.js';

const SDL = /* GraphQL */ `
  directive @cost(
    weight: Int!
  ) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(
    assumedSize: Int
    slicingArguments: [String!]
    sizedFields: [String!]
    requireOneSlicingArgument: Boolean = true
  ) on FIELD_DEFINITION

  interface Node {
    id: ID!
  }
  type Author implements Node {
    id: ID!
    name: String
    books: [Book!]! @listSize(assumedSize: 4)
  }
  type Book implements Node {
    id: ID!
    title: String
    author: Author!
    tags: [String!]!
    reviews: [Review!]!
  }
  type Review @cost(weight: 3) {
    stars: Int!
  }
  union Result = Author | Book
  type PageInfo {
    hasNextPage: Boolean!
  }
  type BookEdge {
    cursor: String!
    node: Book!
  }
  type BookConnection {
    edges: [BookEdge!]!
    nodes: [Book!]!
    pageInfo: PageInfo!
    totalCount: Int! @cost(weight: 10)
  }
  input Filter {
    title: String
    tags: [String!]
    nested: Filter
  }
  type Query {
    author(id: ID!): Author
    node(id: ID!): Node
    search(text: String!): [Result!]! @listSize(assumedSize: 2)
    books(first: Int, after: String, filter: Filter): BookConnection!
      @listSize(
        assumedSize: 20
        slicingArguments: ["first"]
        sizedFields: ["edges", "nodes"]
        requireOneSlicingArgument: false
      )
    booksWithDefault(first: Int = 7): BookConnection! @listSize(slicingArguments: ["first"], sizedFields: ["nodes"])
    expensive: Int @cost(weight: 25)
  }
  type Mutation {
    addBooks(input: [Filter!]!): [Book!]! @listSize(assumedSize: 5)
  }
`;
const schema = buildSchema(SDL);
const directives = costDirectivesFromSdl(parse(SDL));
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  estimateCost({ schema, directives, document: parse(query), variables, operationName });

describe('demand control: the static estimate (Apollo Router algorithm)', () => {
  it('objects cost 1, scalars and enums 0, __typename and introspection 0', () => {
    assert.equal(cost('{ author(id: 1) { id name } }'), 1);
    assert.equal(cost('{ author(id: 1) { id author2: name } a: __typename b: __typename }'), 1);
    assert.equal(cost('{ expensive }'), 25);
    assert.equal(cost('{ __schema { types { name fields { name } } } }'), 0);
  });

  it('multiplies a list by its assumedSize, a list without @listSize by the default size', () => {
    // author 1 + 4 books x (1 + author 1)
    assert.equal(cost('{ author(id: 1) { books { title author { name } } } }'), 1 + 4 * 2);
    // Book.reviews has no @listSize: the default size, each review weighing 3 (its type's @cost).
    assert.equal(cost('{ author(id: 1) { books { reviews { stars } } } }'), 1 + 4 * (1 + DEFAULT_LIST_SIZE * 3));
    assert.equal(
      estimateCost({
        schema,
        directives,
        document: parse('{ author(id: 1) { books { reviews { stars } } } }'),
        defaultListSize: 2,
      }),
      1 + 4 * (1 + 2 * 3),
    );
    // A list of scalars costs 0 whatever its size.
    assert.equal(cost('{ author(id: 1) { books { tags } } }'), 1 + 4);
  });

  it('sizes a connection by its slicing argument, literal or variable alike, and its sizedFields take that size', () => {
    // connection 1 + edges (edge 1 + node 1 + author 1) + nodes 1 each + pageInfo 1 + totalCount 10
    const connection = (first: number) => 1 + first * 3 + first * 1 + 1 + 10;
    const literal = cost(
      '{ books(first: 50) { edges { node { author { id } } } nodes { id } pageInfo { hasNextPage } totalCount } }',
    );
    const variable = cost(
      'query ($n: Int) { books(first: $n) { edges { node { author { id } } } nodes { id } pageInfo { hasNextPage } totalCount } }',
      { n: 50 },
    );
    assert.equal(literal, connection(50));
    assert.equal(variable, literal);
  });

  it('falls back to the operation default, then the argument default, then assumedSize', () => {
    assert.equal(cost('query ($n: Int = 30) { books(first: $n) { nodes { id } } }'), 1 + 30);
    assert.equal(cost('query ($n: Int = 30) { books(first: $n) { nodes { id } } }', { n: 3 }), 1 + 3);
    assert.equal(cost('{ booksWithDefault { nodes { id } } }'), 1 + 7);
    assert.equal(cost('{ booksWithDefault(first: 2) { nodes { id } } }'), 1 + 2);
    assert.equal(cost('{ books { nodes { id } } }'), 1 + 20);
    // A variable the request does not send, with no default: assumedSize.
    assert.equal(cost('query ($n: Int) { books(first: $n) { nodes { id } } }'), 1 + 20);
  });

  it('multiplies nested slices: first 500 three levels deep is 125 million', () => {
    const sdl = /* GraphQL */ `
      directive @listSize(
        assumedSize: Int
        slicingArguments: [String!]
        sizedFields: [String!]
        requireOneSlicingArgument: Boolean = true
      ) on FIELD_DEFINITION
      type C {
        nodes: [T!]!
      }
      type T {
        id: ID!
        children(first: Int): C!
          @listSize(slicingArguments: ["first"], sizedFields: ["nodes"], requireOneSlicingArgument: false)
      }
      type Query {
        top(first: Int): C!
          @listSize(slicingArguments: ["first"], sizedFields: ["nodes"], requireOneSlicingArgument: false)
      }
    `;
    const nested = buildSchema(sdl);
    const estimate = (query: string, variables?: Record<string, unknown>) =>
      estimateCost({
        schema: nested,
        directives: costDirectivesFromSdl(parse(sdl)),
        document: parse(query),
        variables,
      });
    const query =
      'query ($n: Int) { top(first: $n) { nodes { children(first: $n) { nodes { children(first: $n) { nodes { id } } } } } } }';
    const expected = 1 + 500 * (1 + 1 + 500 * (1 + 1 + 500));
    assert.equal(estimate(query, { n: 500 }), expected);
    assert.equal(estimate(query.replace('($n: Int) ', '').replaceAll('$n', '500')), expected);
  });

  it('counts every fragment, inline or named, on interfaces and unions, and passes a slice through them', () => {
    // search: 2 results x (1 + Author branch (4 books) + Book branch (author 1))
    assert.equal(
      cost('{ search(text: "x") { ... on Author { books { id } } ... on Book { author { id } } } }'),
      2 * (1 + 4 + 1),
    );
    assert.equal(cost('{ node(id: 1) { id ... on Book { author { id } } } }'), 1 + 1);
    const named = `
      query { books(first: 5) { ...Page } }
      fragment Page on BookConnection { nodes { ...BookFields } totalCount }
      fragment BookFields on Book { author { id } }
    `;
    assert.equal(cost(named), 1 + 5 * (1 + 1) + 10);
  });

  it('scores each fragment once, so fragments spreading fragments cannot make the estimate itself expensive', () => {
    // f0 spreads f1 twice, f1 spreads f2 twice, ...: 2^depth paths, each fragment scored once.
    const bomb = (depth: number) => {
      const fragments = Array.from(
        { length: depth },
        (_, i) =>
          `fragment f${i} on Author { x${i}: books { author { ...f${i + 1} } } y${i}: books { author { ...f${i + 1} } } }`,
      );
      return `{ author(id: 1) { ...f0 } } ${fragments.join(' ')} fragment f${depth} on Author { id }`;
    };
    // Each level: 2 lists x 4 books x (1 book + 1 author + the next level).
    let level = 0;
    for (let i = 0; i < 15; i += 1) level = 2 * 4 * (1 + 1 + level);
    assert.equal(cost(bomb(15)), 1 + level);
    // 2^80 paths would never finish; the estimate saturates at the largest safe integer.
    assert.equal(cost(bomb(80)), Number.MAX_SAFE_INTEGER);
  });

  it('mutations start at 10; input objects cost 1 each, literal or variable alike', () => {
    const literal = cost(
      'mutation { addBooks(input: [{ title: "a", nested: { title: "b" } }, { tags: ["x", "y"] }]) { id } }',
    );
    const variable = cost('mutation ($input: [Filter!]!) { addBooks(input: $input) { id } }', {
      input: [{ title: 'a', nested: { title: 'b' } }, { tags: ['x', 'y'] }],
    });
    // 10 + 5 books + 3 input objects
    assert.equal(literal, 10 + 5 + 3);
    assert.equal(variable, literal);
  });

  it('skips @skip(if: true) and @include(if: false), literal or variable', () => {
    assert.equal(cost('{ author(id: 1) @skip(if: true) { id } expensive @include(if: false) }'), 0);
    assert.equal(cost('query ($s: Boolean!) { author(id: 1) @include(if: $s) { id } }', { s: false }), 0);
    assert.equal(cost('query ($s: Boolean!) { author(id: 1) @include(if: $s) { id } }', { s: true }), 1);
  });

  it('estimates the named operation of a document with several', () => {
    const document = 'query A { author(id: 1) { id } } query B { expensive }';
    assert.equal(cost(document, {}, 'A'), 1);
    assert.equal(cost(document, {}, 'B'), 25);
  });
});

describe('demand control: directives of a supergraph', () => {
  it('finds the names @link gives the cost spec directives', () => {
    const link = (args: string) =>
      parse(
        `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(${args}) { query: Query } type Query { a: Int }`,
      );
    assert.deepEqual(costDirectiveNames(link('url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]')), {
      cost: 'cost',
      listSize: 'listSize',
    });
    assert.deepEqual(costDirectiveNames(link('url: "https://specs.apollo.dev/cost/v0.1"')), {
      cost: 'cost',
      listSize: 'cost__listSize',
    });
    assert.deepEqual(costDirectiveNames(link('url: "https://specs.apollo.dev/cost/v0.1", as: "demand"')), {
      cost: 'demand',
      listSize: 'demand__listSize',
    });
    assert.deepEqual(
      costDirectiveNames(
        link('url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }, "@cost"]'),
      ),
      { cost: 'cost', listSize: 'size' },
    );
  });

  it('reads the composed @listSize and @cost of our supergraph', () => {
    const supergraph = costDirectivesFromSdl(parse(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')));
    assert.deepEqual(supergraph.listSizes.get('EnterpriseCatalog.contents'), {
      assumedSize: 20,
      slicingArguments: ['first'],
      sizedFields: ['edges', 'nodes'],
      requireOneSlicingArgument: false,
    });
    assert.equal(supergraph.listSizes.get('Course.courseRuns')?.assumedSize, 5);
    assert.equal(supergraph.weights.get('SubsidyAccessPolicy.canRedeem'), 25);
    assert.equal(supergraph.weights.get('ContentItemConnection.totalCount'), 10);
  });

  it('every connection field is sliced by `first` and every other list of objects has an assumedSize', () => {
    const document = parse(fs.readFileSync(SUPERGRAPH_PATH, 'utf8'));
    const supergraph = buildASTSchema(document, { assumeValidSDL: true });
    const { listSizes } = costDirectivesFromSdl(document);
    const missing: string[] = [];
    for (const type of Object.values(supergraph.getTypeMap())) {
      if (
        (!isObjectType(type) && !isInterfaceType(type)) ||
        type.name.startsWith('__') ||
        type.name.startsWith('join__') ||
        type.name.startsWith('link__')
      )
        continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const named = getNamedType(field.type);
        const listSize = listSizes.get(coordinate);
        if (named.name.endsWith('Connection')) {
          if (
            !listSize?.slicingArguments.includes('first') ||
            !listSize.sizedFields.includes('nodes') ||
            !listSize.sizedFields.includes('edges')
          )
            missing.push(coordinate);
        } else if (isListType(getNullableType(field.type)) && isCompositeType(named)) {
          const sizedByConnection =
            type.name.endsWith('Connection') && (field.name === 'edges' || field.name === 'nodes');
          if (!sizedByConnection && listSize?.assumedSize === undefined) missing.push(coordinate);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});

/**
 * Demand control on Apollo's cost spec (https://specs.apollo.dev/cost/v0.1), the way Apollo Router
 * estimates an operation statically ("static_estimated"), before any planning or subgraph call:
 *
 * - an operation starts at 0 for a query and 10 for a mutation;
 * - a field returning an object, interface or union costs 1, a scalar or enum 0, unless `@cost`
 *   gives the field (or its type) a weight; a field's cost is that weight plus its selections;
 * - a list multiplies its element cost by its size: the value of its `@listSize` slicing argument
 *   (`first`: literal, variable or the argument's default), else `assumedSize`, else a default; a
 *   connection's `sizedFields` (`edges`, `nodes`) take the size of the connection field's slice;
 * - input objects in arguments cost 1 each (plus their fields); fragments and inline fragments are
 *   all counted (every branch of an abstract type, an upper bound like Router's);
 * - `@skip(if: true)` / `@include(if: false)` selections cost nothing; introspection is not counted.
 *
 * The directive values are read from the supergraph SDL (composition keeps them; the gateway's API
 * schema strips them), under whatever names its `@link` gives them.
 */
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type ArgumentNode,
  type ConstValueNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type InputValueDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export const COST_SPEC_IDENTITY = 'https://specs.apollo.dev/cost/';
/** Size of a list field that has no `@listSize` (every list of our subgraphs has one). */
export const DEFAULT_LIST_SIZE = 10;
/** Router's constant: a mutation costs this much before its fields. */
export const MUTATION_BASE_COST = 10;

export interface ListSize {
  assumedSize?: number;
  slicingArguments: readonly string[];
  sizedFields: readonly string[];
  requireOneSlicingArgument: boolean;
}

/** `@cost` / `@listSize` usage of a schema, by coordinate (`Type`, `Type.field`, `Type.field(arg)`, `Input.field`). */
export interface CostDirectives {
  weights: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
}

/** The names a schema's `@link` of the cost spec gives its two directives (defaults when it has none). */
export function costDirectiveNames(document: DocumentNode): { cost: string; listSize: string } {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = argumentValue(link, 'url');
      if (url?.kind !== Kind.STRING || !url.value.startsWith(COST_SPEC_IDENTITY)) continue;
      const as = argumentValue(link, 'as');
      const feature = as?.kind === Kind.STRING ? as.value : 'cost';
      // Unimported directives are namespaced `@<feature>__<name>`; the one named like the feature is `@<feature>`.
      const names = { cost: feature, listSize: `${feature}__listSize` };
      const imports = argumentValue(link, 'import');
      for (const entry of imports?.kind === Kind.LIST ? imports.values : []) {
        let name: string | undefined;
        let alias: string | undefined;
        if (entry.kind === Kind.STRING) name = alias = entry.value;
        else if (entry.kind === Kind.OBJECT) {
          const n = entry.fields.find((f) => f.name.value === 'name')?.value;
          const a = entry.fields.find((f) => f.name.value === 'as')?.value;
          name = n?.kind === Kind.STRING ? n.value : undefined;
          alias = a?.kind === Kind.STRING ? a.value : name;
        }
        if (name === '@cost' && alias) names.cost = alias.replace(/^@/, '');
        if (name === '@listSize' && alias) names.listSize = alias.replace(/^@/, '');
      }
      return names;
    }
  }
  return { cost: 'cost', listSize: 'listSize' };
}

function argumentValue(directive: DirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value as ConstValueNode | undefined;
}

function intArgument(directive: DirectiveNode, name: string): number | undefined {
  const value = argumentValue(directive, name);
  return value?.kind === Kind.INT ? Number.parseInt(value.value, 10) : undefined;
}

function stringListArgument(directive: DirectiveNode, name: string): string[] {
  const value = argumentValue(directive, name);
  if (value?.kind === Kind.STRING) return [value.value];
  return value?.kind === Kind.LIST ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [];
}

/** Reads every `@cost` and `@listSize` of an SDL document (a supergraph or a plain schema). */
export function costDirectivesFromSdl(document: DocumentNode): CostDirectives {
  const names = costDirectiveNames(document);
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const readWeight = (coordinate: string, directives: readonly DirectiveNode[] | undefined) => {
    const cost = directives?.find((d) => d.name.value === names.cost);
    const weight = cost ? intArgument(cost, 'weight') : undefined;
    if (weight !== undefined) weights.set(coordinate, Math.max(weight, weights.get(coordinate) ?? weight));
  };
  const readField = (typeName: string, field: FieldDefinitionNode | InputValueDefinitionNode) => {
    const coordinate = `${typeName}.${field.name.value}`;
    readWeight(coordinate, field.directives);
    if (field.kind === Kind.FIELD_DEFINITION) {
      for (const argument of field.arguments ?? [])
        readWeight(`${coordinate}(${argument.name.value})`, argument.directives);
      const listSize = field.directives?.find((d) => d.name.value === names.listSize);
      if (listSize) {
        const require = argumentValue(listSize, 'requireOneSlicingArgument');
        listSizes.set(coordinate, {
          assumedSize: intArgument(listSize, 'assumedSize'),
          slicingArguments: stringListArgument(listSize, 'slicingArguments'),
          sizedFields: stringListArgument(listSize, 'sizedFields'),
          requireOneSlicingArgument: require?.kind === Kind.BOOLEAN ? require.value : true,
        });
      }
    }
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        readWeight(definition.name.value, definition.directives);
        for (const field of definition.fields ?? []) readField(definition.name.value, field);
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        for (const field of definition.fields ?? []) readField(definition.name.value, field);
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_DEFINITION:
        readWeight(definition.name.value, definition.directives);
        break;
      // Definitions that carry no @cost or @listSize of their own (a union's cost is its members').
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
      case Kind.DIRECTIVE_DEFINITION:
      case Kind.DIRECTIVE_EXTENSION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.OPERATION_DEFINITION:
      case Kind.FRAGMENT_DEFINITION:
        break;
    }
  }
  return { weights, listSizes };
}

export interface EstimateOptions {
  /** The schema operations are validated against (the gateway's API schema). */
  schema: GraphQLSchema;
  directives: CostDirectives;
  document: DocumentNode;
  operationName?: string | null;
  /** The request's variables, as sent. */
  variables?: Readonly<Record<string, unknown>>;
  defaultListSize?: number;
}

/** The slice a `@listSize` field resolved to in one operation: its size and the child fields it sizes. */
interface Slice {
  size: number | undefined;
  sizedFields: readonly string[];
}

/** Estimated cost of one operation (0 when the document has no such operation). */
export function estimateCost(options: EstimateOptions): number {
  const { schema, directives, document } = options;
  const defaultListSize = options.defaultListSize ?? DEFAULT_LIST_SIZE;
  const operation = getOperationAST(document, options.operationName ?? undefined);
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Operation defaults first, then what the request sent.
  const variables = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue)
      variables.set(definition.variable.name.value, literalValue(definition.defaultValue, variables));
  }
  for (const [name, value] of Object.entries(options.variables ?? {})) variables.set(name, value);

  // A fragment costs the same wherever it is spread (for the same slice), so each is scored once:
  // a document that spreads fragments inside fragments cannot make the estimate itself expensive.
  const fragmentCosts = new Map<string, number>();
  const activeFragments = new Set<string>();

  const skipped = (node: SelectionNode): boolean => {
    for (const directive of node.directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
      const value = condition ? literalValue(condition, variables) : undefined;
      if (name === 'skip' && value === true) return true;
      if (name === 'include' && value === false) return true;
    }
    return false;
  };

  const weightOf = (coordinate: string): number | undefined => directives.weights.get(coordinate);

  const scoreSelectionSet = (set: SelectionSetNode, parent: GraphQLCompositeType, slice: Slice | undefined): number => {
    let cost = 0;
    for (const selection of set.selections) cost += scoreSelection(selection, parent, slice);
    return cost;
  };

  const scoreFragment = (
    condition: string | undefined,
    set: SelectionSetNode,
    parent: GraphQLCompositeType,
    slice: Slice | undefined,
  ) => {
    const type = condition ? schema.getType(condition) : parent;
    return type && isCompositeType(type) ? scoreSelectionSet(set, type, slice) : 0;
  };

  const scoreSelection = (selection: SelectionNode, parent: GraphQLCompositeType, slice: Slice | undefined): number => {
    if (skipped(selection)) return 0;
    switch (selection.kind) {
      case Kind.FIELD:
        return scoreField(selection, parent, slice);
      case Kind.INLINE_FRAGMENT:
        return scoreFragment(selection.typeCondition?.name.value, selection.selectionSet, parent, slice);
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || activeFragments.has(name)) return 0;
        const key = slice ? `${name}|${slice.size ?? ''}|${slice.sizedFields.join(',')}` : name;
        const known = fragmentCosts.get(key);
        if (known !== undefined) return known;
        activeFragments.add(name);
        const cost = scoreFragment(fragment.typeCondition.name.value, fragment.selectionSet, parent, slice);
        activeFragments.delete(name);
        fragmentCosts.set(key, cost);
        return cost;
      }
    }
  };

  const scoreField = (node: FieldNode, parent: GraphQLCompositeType, parentSlice: Slice | undefined): number => {
    // __typename is a scalar; __schema and __type are introspection (off in production), not counted.
    if (node.name.value.startsWith('__')) return 0;
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0;
    const coordinate = `${parent.name}.${field.name}`;
    const type = getNamedType(field.type);
    const listSize = directives.listSizes.get(coordinate);
    const slice = listSize ? resolveSlice(listSize, field, node.arguments ?? [], variables) : undefined;

    let instances = 1;
    if (isListType(getNullableType(field.type))) {
      const fromParent = parentSlice?.sizedFields.includes(field.name) ? parentSlice.size : undefined;
      instances = fromParent ?? slice?.size ?? defaultListSize;
    }
    let typeCost = weightOf(coordinate) ?? weightOf(type.name) ?? (isCompositeType(type) ? 1 : 0);
    if (node.selectionSet && isCompositeType(type)) typeCost += scoreSelectionSet(node.selectionSet, type, slice);

    let argumentsCost = 0;
    for (const argument of node.arguments ?? []) {
      const definition = field.args.find((a) => a.name === argument.name.value);
      if (definition)
        argumentsCost += scoreInput(
          argument.value,
          definition.type,
          weightOf(`${coordinate}(${definition.name})`),
          variables,
        );
    }
    return instances * typeCost + argumentsCost;
  };

  const scoreInput = (
    value: ValueNode,
    type: GraphQLInputType,
    weight: number | undefined,
    vars: Map<string, unknown>,
  ): number => {
    if (value.kind === Kind.VARIABLE) {
      return vars.has(value.name.value) ? scoreInputValue(vars.get(value.name.value), type, weight) : 0;
    }
    return scoreInputValue(literalValue(value, vars), type, weight);
  };

  // Literals and variables are scored alike, from their JavaScript value.
  const scoreInputValue = (value: unknown, type: GraphQLInputType, weight: number | undefined): number => {
    if (value === null || value === undefined) return 0;
    const named = getNamedType(type);
    if (Array.isArray(value)) {
      let cost = weight ?? 0;
      for (const item of value) cost += scoreInputValue(item, type, weight);
      return cost;
    }
    if (isInputObjectType(named) && typeof value === 'object') {
      let cost = weight ?? weightOf(named.name) ?? 1;
      const fields = named.getFields();
      for (const [name, inner] of Object.entries(value)) {
        const definition = fields[name];
        if (definition) cost += scoreInputValue(inner, definition.type, weightOf(`${named.name}.${name}`));
      }
      return cost;
    }
    return weight ?? weightOf(named.name) ?? 0;
  };

  return Math.min(
    (operation.operation === OperationTypeNode.MUTATION ? MUTATION_BASE_COST : 0) +
      scoreSelectionSet(operation.selectionSet, root, undefined),
    Number.MAX_SAFE_INTEGER,
  );
}

/**
 * The size a `@listSize` field has in this operation: the largest slicing argument given (literal
 * or variable), else that argument's default in the schema, else `assumedSize`. Router refuses an
 * operation that omits a required slicing argument; our SDL sets `requireOneSlicingArgument: false`
 * everywhere, and here a missing one falls back to `assumedSize` (then the default list size).
 */
function resolveSlice(
  listSize: ListSize,
  field: GraphQLField<unknown, unknown>,
  args: readonly ArgumentNode[],
  variables: Map<string, unknown>,
): Slice {
  const values = new Map<string, number>();
  for (const name of listSize.slicingArguments) {
    const fallback = field.args.find((a) => a.name === name)?.defaultValue;
    if (typeof fallback === 'number' && Number.isFinite(fallback)) values.set(name, fallback);
    const given = args.find((a) => a.name.value === name);
    const value = given ? literalValue(given.value, variables) : undefined;
    if (typeof value === 'number' && Number.isFinite(value)) values.set(name, value);
  }
  const size = values.size ? Math.max(...values.values()) : listSize.assumedSize;
  return { size: size === undefined ? undefined : Math.max(0, size), sizedFields: listSize.sizedFields };
}

/** The JavaScript value of a literal (variables substituted; unknown variables are undefined). */
function literalValue(value: ValueNode, variables: Map<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables.get(value.name.value);
    case Kind.INT:
      return Number.parseInt(value.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(value.value);
    case Kind.STRING:
    case Kind.ENUM:
      return value.value;
    case Kind.BOOLEAN:
      return value.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return value.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(value.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
  }
}

export const COST_ESTIMATED_TOO_EXPENSIVE = 'COST_ESTIMATED_TOO_EXPENSIVE';

export interface DemandControlOptions {
  /** The supergraph the gateway serves: the source of the `@cost` / `@listSize` values. */
  supergraph: DocumentNode;
  maxCost: number;
  /** Adds `extensions.cost.estimated` to every answer (outside production). */
  exposeEstimate: boolean;
  defaultListSize?: number;
}

/**
 * Estimates every operation in `didResolveOperation` (after validation, before the gateway plans
 * it) and refuses it with HTTP 400 when the estimate is above the maximum.
 */
export function demandControlPlugin<TContext extends BaseContext>(
  options: DemandControlOptions,
): ApolloServerPlugin<TContext> {
  const directives = costDirectivesFromSdl(options.supergraph);
  const { maxCost: max } = options;
  return {
    requestDidStart() {
      let estimated: number | undefined;
      return Promise.resolve({
        didResolveOperation({ schema, document, operationName, request }) {
          estimated = estimateCost({
            schema,
            directives,
            document,
            operationName,
            variables: request.variables,
            defaultListSize: options.defaultListSize,
          });
          if (estimated > max) {
            return Promise.reject(
              new GraphQLError(`Operation refused: its estimated cost ${estimated} is above the maximum of ${max}.`, {
                extensions: { code: COST_ESTIMATED_TOO_EXPENSIVE, cost: { estimated, max }, http: { status: 400 } },
              }),
            );
          }
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          if (!options.exposeEstimate || estimated === undefined) return Promise.resolve();
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          result.extensions = { ...result.extensions, cost: { estimated } };
          return Promise.resolve();
        },
      });
    },
  };
}

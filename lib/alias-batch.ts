import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  Kind,
  OperationTypeNode,
  print,
  visit,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * "Alias a batch of keys into one query": a cross-subgraph operation is written (and typed by
 * codegen against the callee's SDL) for ONE key; this turns it into one document asking for N
 * keys, and splits the response back into N results shaped exactly like the one-key result.
 *
 * The operation's variables are per key, except those given once in `shared`. A field whose
 * arguments or directives use a per-key variable is repeated once per key under the alias
 * `<response key>_<i>`, with every per-key variable of its subtree renamed `$<name>_<i>`. A field
 * that uses no per-key variable is asked once; when its subtree does use one (say a list of
 * catalogs, each asked whether it contains key i) the repetition happens inside it. So
 *
 *   query Q($customer: ID!, $key: String!) {
 *     courseRun(key: $key) { title }
 *     enterpriseCatalogs(enterpriseCustomerUuid: $customer) { nodes { containsContent(keys: [$key]) } }
 *   }
 *
 * with `shared: { customer }` and two keys asks `courseRun_0`, `courseRun_1`, and one
 * `enterpriseCatalogs` whose nodes carry `containsContent_0` and `containsContent_1`.
 *
 * Only fields may be selected (no fragments): the split walks the document's own selections.
 */
export interface AliasedBatch<K, TData> {
  query: string;
  variables: Record<string, unknown>;
  /** The response data split into one result per key, in the order of the keys. */
  split(data: Record<string, unknown>): { key: K; data: TData }[];
}

type Vars = Record<string, unknown>;

export function aliasBatch<K, TData, TVars extends Vars, TShared extends keyof TVars = never>(
  document: TypedDocumentNode<TData, TVars>,
  keys: readonly K[],
  variablesOf: (key: K) => Omit<TVars, TShared>,
  shared?: Pick<TVars, TShared>,
): AliasedBatch<K, TData> {
  if (!keys.length) throw new Error('aliasBatch needs at least one key');
  const operation = onlyOperation(document);
  const sharedNames = new Set(Object.keys(shared ?? {}));
  const perKey = new Set(
    operation.variableDefinitions?.map((d) => d.variable.name.value).filter((name) => !sharedNames.has(name)) ?? [],
  );
  const count = keys.length;

  const variableDefinitions = (operation.variableDefinitions ?? []).flatMap((definition) =>
    perKey.has(definition.variable.name.value)
      ? Array.from({ length: count }, (_, i) => renameVariables(definition, perKey, i))
      : [definition],
  );
  const batched: OperationDefinitionNode = {
    ...operation,
    variableDefinitions,
    selectionSet: repeatSelections(operation.selectionSet, perKey, count),
  };

  const variables: Vars = { ...shared };
  keys.forEach((key, i) => {
    for (const [name, value] of Object.entries(variablesOf(key))) {
      if (!perKey.has(name)) throw new Error(`${name} is not a per-key variable of ${operationName(operation)}`);
      variables[suffixed(name, i)] = value;
    }
  });

  return {
    query: print({ kind: Kind.DOCUMENT, definitions: [batched] }),
    variables,
    split: (data) =>
      keys.map((key, i) => ({ key, data: splitSelections(operation.selectionSet, data, perKey, i) as TData })),
  };
}

/** The one operation of a cross-subgraph document (the generated constant holds exactly one). */
export function onlyOperation(document: DocumentNode): OperationDefinitionNode {
  const [operation, ...rest] = document.definitions;
  if (operation?.kind !== Kind.OPERATION_DEFINITION || rest.length) {
    throw new Error('A cross-subgraph document holds exactly one operation and no fragments');
  }
  if (operation.operation !== OperationTypeNode.QUERY) {
    throw new Error(`Only queries are batched by aliasing, not ${operationName(operation)}`);
  }
  return operation;
}

function operationName(operation: OperationDefinitionNode): string {
  return operation.name?.value ?? `the anonymous ${operation.operation}`;
}

function suffixed(name: string, i: number): string {
  return `${name}_${i}`;
}

function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

function fields(selectionSet: SelectionSetNode): readonly FieldNode[] {
  return selectionSet.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD)
      throw new Error('Batched cross-subgraph operations select fields only (no fragments)');
    return selection;
  });
}

/** True when the field's own arguments or directives name a per-key variable. */
function usesPerKeyVariable(field: FieldNode, perKey: ReadonlySet<string>): boolean {
  let found = false;
  const own: readonly ASTNode[] = [...(field.arguments ?? []), ...(field.directives ?? ([] as DirectiveNode[]))];
  for (const node of own) {
    visit(node, {
      Variable(variable) {
        if (perKey.has(variable.name.value)) found = true;
      },
    });
  }
  return found;
}

function renameVariables<T extends FieldNode | VariableDefinitionNode>(
  node: T,
  perKey: ReadonlySet<string>,
  i: number,
): T {
  return visit(node, {
    Variable(variable) {
      return perKey.has(variable.name.value)
        ? { ...variable, name: { ...variable.name, value: suffixed(variable.name.value, i) } }
        : undefined;
    },
  });
}

function repeatSelections(
  selectionSet: SelectionSetNode,
  perKey: ReadonlySet<string>,
  count: number,
): SelectionSetNode {
  const selections = fields(selectionSet).flatMap((field): FieldNode[] => {
    if (usesPerKeyVariable(field, perKey)) {
      return Array.from({ length: count }, (_, i) => ({
        ...renameVariables(field, perKey, i),
        alias: { kind: Kind.NAME, value: suffixed(responseKey(field), i) },
      }));
    }
    if (!field.selectionSet) return [field];
    return [{ ...field, selectionSet: repeatSelections(field.selectionSet, perKey, count) }];
  });
  return { ...selectionSet, selections };
}

/** Key i's view of a response to the repeated selections: the one-key response shape. */
function splitSelections(
  selectionSet: SelectionSetNode,
  value: unknown,
  perKey: ReadonlySet<string>,
  i: number,
): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => splitSelections(selectionSet, item, perKey, i));
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const field of fields(selectionSet)) {
    const key = responseKey(field);
    if (usesPerKeyVariable(field, perKey)) {
      // A skipped field (@include / @skip) is absent from the response; it stays absent.
      const alias = suffixed(key, i);
      if (alias in source) result[key] = source[alias];
    } else if (key in source) {
      result[key] = field.selectionSet ? splitSelections(field.selectionSet, source[key], perKey, i) : source[key];
    }
  }
  return result;
}

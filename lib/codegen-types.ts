/** Per-subgraph codegen settings (`subgraphs/<name>/codegen.ts`), read by the root `codegen.ts`. */
export interface SubgraphCodegen {
  /** Name of the context type exported by the subgraph's `context.ts`. */
  context: string;
  /** GraphQL type name -> `<path relative to __generated__>#<TypeName>`. */
  mappers: Record<string, string>;
}

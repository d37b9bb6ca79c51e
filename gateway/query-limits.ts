/**
 * The gateway's shape limits besides cost (depth, aliases, tokens, directives): graphql-armor's
 * rules for depth, aliases and directives, our own rule for tokens. Every refusal is a validation
 * error, so Apollo Server answers HTTP 400 with `extensions.code: GRAPHQL_VALIDATION_FAILED`; the
 * message says which limit and `extensions.limit` names it (`MAX_DEPTH`, `MAX_ALIASES`,
 * `MAX_TOKENS`, `MAX_DIRECTIVES`) so clients can tell them apart.
 */
import { GraphQLError, TokenKind, type ValidationContext, type ValidationRule } from 'graphql';
import type { ApolloArmor } from '@escape.tech/graphql-armor';

type ArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;

export type QueryLimit = 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_TOKENS' | 'MAX_DIRECTIVES';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
}

/**
 * Documents with more tokens than this many times the limit are not even parsed (graphql-js stops
 * lexing): that refusal is a parse error (400 GRAPHQL_PARSE_FAILED, "Document contains more that
 * N tokens. Parsing aborted."). Between the limit and this, the document is parsed and the validation rule names
 * the limit.
 */
export const PARSE_TOKEN_FACTOR = 10;

export function limitError(limit: QueryLimit, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { limit } });
}

/**
 * graphql-armor reports its refusals as "Syntax Error: ..." with code BAD_USER_INPUT (or throws
 * them); this reports them as plain validation errors carrying the limit's name instead.
 */
function reportAs(limit: QueryLimit) {
  return [
    (context: ValidationContext | null, error: GraphQLError) => {
      context?.reportError(limitError(limit, error.message.replace(/^Syntax Error: /, '')));
    },
  ];
}

/** graphql-armor's configuration: depth, aliases (`__typename` aliases count too) and directives; no cost, no tokens. */
export function armorConfig(limits: QueryLimits): Omit<ArmorConfig, 'blockFieldSuggestion'> {
  return {
    maxDepth: {
      n: limits.maxDepth,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: reportAs('MAX_DEPTH'),
    },
    // Armor skips `__typename` aliases by default, which lets `a1: __typename ... a3000: __typename` through.
    maxAliases: { n: limits.maxAliases, allowList: [], propagateOnRejection: false, onReject: reportAs('MAX_ALIASES') },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: reportAs('MAX_DIRECTIVES') },
    // Demand control (gateway/demand-control.ts) replaces armor's cost model.
    costLimit: { enabled: false },
    // Armor's token limit re-parses in parsingDidStart and throws, which Apollo answers with HTTP 500.
    maxTokens: { enabled: false },
  };
}

/**
 * Counts the document's tokens (punctuators, names, values; not comments) from the parser's token
 * chain, which graphql-js keeps on the document's location.
 */
export function maxTokensRule(maxTokens: number): ValidationRule {
  return (context) => {
    let count = 0;
    for (let token = context.getDocument().loc?.startToken ?? null; token; token = token.next) {
      if (token.kind !== TokenKind.SOF && token.kind !== TokenKind.EOF && token.kind !== TokenKind.COMMENT) count += 1;
    }
    if (count > maxTokens)
      context.reportError(limitError('MAX_TOKENS', `Token limit of ${maxTokens} exceeded, found ${count}.`));
    return {};
  };
}

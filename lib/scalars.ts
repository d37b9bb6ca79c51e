import { DateTimeResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function toDateString(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && DATE.test(value.slice(0, 10))) return value.slice(0, 10);
  throw new GraphQLError(`Date cannot represent ${String(value)}`);
}

/** True for a real calendar day: Date.parse rolls "2020-02-30" over to March 1 instead of refusing it. */
function isCalendarDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !DATE.test(value) || !isCalendarDate(value)) {
    throw new GraphQLError(`Date must be YYYY-MM-DD, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/**
 * `Date` as the contract defines it: a calendar date `YYYY-MM-DD` kept as a string end to end
 * (graphql-scalars' LocalDate would do too, but its Date scalar turns values into JS Dates at
 * midnight local time, which shifts days on non-UTC hosts).
 */
const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: toDateString,
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string YYYY-MM-DD');
    return parseDate(ast.value);
  },
});

/** Scalar resolvers shared by every subgraph. */
export const scalarResolvers = {
  DateTime: DateTimeResolver,
  Date: DateScalar,
  JSON: JSONResolver,
  SafeInt: SafeIntResolver,
};

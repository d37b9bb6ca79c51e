import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { exposeErrorDetails } from '../config.js';
import { logger } from '../observability/logger.js';

/** Largest JSON body `/graphql` accepts; bigger ones get HTTP 413 with a GraphQL error. */
export const MAX_BODY_BYTES = '2mb';

export interface GraphQLEndpointOptions<Context extends BaseContext> {
  server: ApolloServer<Context>;
  /** Builds the per-request context (authentication happens here). */
  context(req: Request): Promise<Context>;
  /** Middleware that runs before everything else on `/graphql` (the gateway's CORS layer). */
  before?: RequestHandler[];
  /** Middleware between the body parser and Apollo Server (the gateway's safelist reads the parsed body). */
  afterBody?: RequestHandler[];
}

/**
 * Mounts `/graphql` the same way on the gateway and on every subgraph: JSON body parser with a
 * size limit, a JSON error for bodies the parser refuses (instead of Express's HTML page with a
 * stack trace), then Apollo's middleware with the caller's context.
 */
export function mountGraphQL<Context extends BaseContext>(
  app: Express,
  options: GraphQLEndpointOptions<Context>,
): void {
  app.use(
    '/graphql',
    ...(options.before ?? []),
    express.json({ limit: MAX_BODY_BYTES }),
    bodyErrorHandler,
    ...(options.afterBody ?? []),
    expressMiddleware(options.server, { context: ({ req }) => options.context(req) }),
  );
}

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  message?: string;
  stack?: string;
}

/** body-parser's error types, mapped to messages that name the problem without internals. */
const BODY_ERROR_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON',
  'entity.too.large': `The request body is larger than ${MAX_BODY_BYTES}`,
  'entity.verify.failed': 'The request body could not be verified',
  'encoding.unsupported': 'The request body has an unsupported Content-Encoding',
  'charset.unsupported': 'The request body has an unsupported charset',
  'request.aborted': 'The request was aborted before its body was read',
  'request.size.invalid': 'The request body size does not match Content-Length',
};

/**
 * Answers a refused body as a GraphQL error in JSON (code BAD_REQUEST, status 400 or 413).
 * Only NODE_ENV=development adds the original message and stack, as formatError does.
 */
const bodyErrorHandler: ErrorRequestHandler = (error: HttpError, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const status = error.status ?? error.statusCode ?? 500;
  const clientError = status >= 400 && status < 500;
  if (!clientError) logger.error({ err: error }, 'request body handling failed');
  const message = clientError
    ? (BODY_ERROR_MESSAGES[error.type ?? ''] ?? 'The request body could not be read')
    : 'Internal server error';
  const details = exposeErrorDetails() ? { originalMessage: error.message, stacktrace: error.stack?.split('\n') } : {};
  res
    .status(clientError ? status : 500)
    .type('application/json')
    .send(
      JSON.stringify({
        errors: [{ message, extensions: { code: clientError ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR', ...details } }],
      }),
    );
};

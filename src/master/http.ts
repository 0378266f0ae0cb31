import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES, type RouteName, type RouteSpec } from '../core/contract/routes.js';
import { compile } from '../core/contract/validate.js';
import { FfrtmpError, isFfrtmpError, toErrorBody } from '../core/errors.js';
import type { Authorizer } from './auth.js';

/**
 * Mounting contract routes on Fastify: access check, body and query validation from the route's
 * schemas, the success status from the contract, and the one error shape for everything else.
 */

type BodyOf<R extends RouteSpec> = R extends { body: infer B extends TSchema } ? Static<B> : undefined;
type QueryOf<R extends RouteSpec> = R extends { query: infer Q extends TSchema } ? Static<Q> : undefined;

export interface RouteInput<R extends RouteSpec> {
  body: BodyOf<R>;
  query: QueryOf<R>;
  params: Record<string, string>;
  request: FastifyRequest;
}

export type Handler<R extends RouteSpec> = (input: RouteInput<R>) => Promise<unknown> | unknown;

export function mountRoute<N extends RouteName>(
  app: FastifyInstance,
  authorize: Authorizer,
  name: N,
  handler: Handler<(typeof ROUTES)[N]>,
): void {
  const spec: RouteSpec = ROUTES[name];
  const body = spec.body ? compile(spec.body) : undefined;
  const query = spec.query ? compile(spec.query) : undefined;
  app.route({
    method: spec.method,
    url: spec.path,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      authorize(spec.access, request.headers.authorization);
      const input = {
        body: body ? body.parse(request.body ?? null) : undefined,
        query: query ? query.parse(request.query ?? {}, 'query') : undefined,
        params: request.params as Record<string, string>,
        request,
      } as RouteInput<(typeof ROUTES)[N]>;
      const result = await handler(input);
      reply.code(spec.response.status);
      return spec.response.status === 204 ? reply.send() : result;
    },
  });
}

// Fastify's own error codes for malformed requests, mapped onto ours.
const FASTIFY_ERRORS: Record<string, (e: FastifyError) => FfrtmpError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new FfrtmpError('E_PAYLOAD_TOO_LARGE', 'request body is larger than the limit (see --body-limit)'),
  FST_ERR_CTP_INVALID_JSON_BODY: (e) =>
    new FfrtmpError('E_INVALID_JSON', `request body is not valid JSON: ${e.message}`),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new FfrtmpError(
      'E_INVALID_JSON',
      'request body is empty but Content-Type says application/json; send {}',
    ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new FfrtmpError('E_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new FfrtmpError('E_INVALID_JSON', 'Content-Length does not match the body'),
};

export function toFfrtmpError(error: unknown): FfrtmpError {
  if (isFfrtmpError(error)) return error;
  const fe = error as Partial<FastifyError>;
  if (typeof fe.code === 'string') {
    const map = FASTIFY_ERRORS[fe.code];
    if (map) return map(fe as FastifyError);
  }
  // JSON.parse errors raised by the content parser carry a 400 status but no code.
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return new FfrtmpError('E_INVALID_JSON', `request body is not valid JSON: ${error.message}`);
  }
  return new FfrtmpError('E_INTERNAL', 'internal error; see the master log', { cause: error });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const e = toFfrtmpError(error);
    if (e.code === 'E_INTERNAL') request.log.error({ err: error, url: request.url }, 'request failed');
    reply.code(e.status).send(toErrorBody(e));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new FfrtmpError(
      'E_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}; see GET /openapi.json`,
    );
    reply.code(404).send(toErrorBody(e));
  });
}

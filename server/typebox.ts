// Fastify's TypeBox type provider: the two declarations @fastify/type-provider-typebox
// consists of, kept here instead of a dependency. With it a route's `req.query`,
// `req.params` and `req.body` have the types of its schemas, which Fastify validated
// before the handler runs, so no handler casts what it was sent.
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyTypeProvider } from 'fastify';

export interface TypeBoxTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

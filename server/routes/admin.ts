// Admin: API keys and the effective configuration (secrets shown only as set/unset).
import { Type as T } from '@sinclair/typebox';
import { actorOf } from '../auth';
import { createApiKey, listApiKeys, revokeApiKey } from '../../queries/keys';
import type { RoutePlugin } from './common';

export const adminRoutes: RoutePlugin = async (app, { services }) => {
  const { store, config } = services;
  const Role = T.Union([T.Literal('analyst'), T.Literal('policy'), T.Literal('admin')]);

  app.get('/me', { schema: { tags: ['keys'], summary: 'the key you are using: id, role, name' } }, async (req) => {
    const k = req.apiKey;
    return { id: k?._id, role: k?.role, name: k?.name };
  });

  app.get('/keys', { config: { role: 'admin' }, schema: { tags: ['keys'], summary: 'list API keys (never the secrets)' } }, async () => ({
    items: await listApiKeys(store),
  }));

  app.post('/keys', {
    config: { role: 'admin' },
    schema: {
      tags: ['keys'],
      summary: 'create an API key; the key is in this response only',
      body: T.Object({ role: Role, name: T.Optional(T.String({ maxLength: 100 })) }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const body = req.body;
    const created = await createApiKey(store, { role: body.role, name: body.name, actor: actorOf(req) });
    return reply.code(201).send(created);
  });

  app.delete('/keys/:id', {
    config: { role: 'admin' },
    schema: { tags: ['keys'], summary: 'revoke an API key', params: T.Object({ id: T.String({ pattern: '^[a-z0-9]{12}$' }) }) },
  }, async (req, reply) => {
    const revoked = await revokeApiKey(store, req.params.id, actorOf(req));
    if (!revoked) return reply.code(404).send({ error: 'Not Found', message: 'no such key' });
    return revoked;
  });

  app.get('/config', { config: { role: 'admin' }, schema: { tags: ['admin'], summary: 'effective configuration; secrets only as set/unset' } }, async () => {
    const { secrets, ...rest } = config;
    return { ...rest, secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v ? 'set' : 'unset'])) };
  });
};

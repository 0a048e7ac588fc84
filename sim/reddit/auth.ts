// The OAuth token endpoint: password and refresh grants per client.
import { randomBytes } from 'node:crypto';
import { basicAuth, json, type SimRequest, type SimResponse } from '../http';
import type { redditCore } from './core';
import type { redditSerialisation } from './serialise';

export function redditAuth(ctx: ReturnType<typeof redditCore> & ReturnType<typeof redditSerialisation>) {
  const { clients, logins, tokenTtl, tokens, refreshTokens } = ctx;
  // ---------------------------------------------------------------- auth
  const tokenEndpoint = (req: SimRequest): SimResponse => {
    const auth = basicAuth(req.headers.authorization);
    const client = auth && clients.find((c) => c.id === auth.user && c.secret === auth.pass);
    if (!client) return json(401, { message: 'Unauthorized', error: 401 }, { 'www-authenticate': 'Basic realm="reddit"' });
    const grant = req.body.get('grant_type');
    const issue = (user?: string, withRefresh = false) => {
      const access = `sim-${randomBytes(18).toString('base64url')}`;
      tokens.set(access, { clientId: client.id, user, expiresAt: Date.now() + tokenTtl * 1000 });
      const out: Record<string, unknown> = { access_token: access, token_type: 'bearer', expires_in: tokenTtl, scope: '*' };
      if (withRefresh && user) {
        const refresh = `simr-${randomBytes(18).toString('base64url')}`;
        refreshTokens.set(refresh, { clientId: client.id, user });
        out.refresh_token = refresh;
      }
      return { ...json(200, out), client: client.id, endpoint: 'POST /api/v1/access_token' };
    };
    if (grant === 'password') {
      const login = logins.find((l) => l.username === req.body.get('username') && l.password === req.body.get('password'));
      // Reddit answers a wrong password with 200 and an error field.
      if (!login) return { ...json(200, { error: 'invalid_grant' }), client: client.id, endpoint: 'POST /api/v1/access_token' };
      return issue(login.username, true);
    }
    if (grant === 'client_credentials' || grant === 'https://oauth.reddit.com/grants/installed_client') return issue();
    if (grant === 'refresh_token') {
      const r = refreshTokens.get(req.body.get('refresh_token') ?? '');
      if (!r || r.clientId !== client.id) return { ...json(400, { error: 'invalid_grant' }), client: client.id, endpoint: 'POST /api/v1/access_token' };
      return issue(r.user, false);
    }
    return { ...json(400, { error: 'unsupported_grant_type' }), client: client.id, endpoint: 'POST /api/v1/access_token' };
  };

  return { tokenEndpoint };
}

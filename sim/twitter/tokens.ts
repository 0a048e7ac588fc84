// Tokens: app-only bearer tokens (POST /oauth2/token) and OAuth2 user tokens with PKCE and refresh.
import { randomBytes } from 'node:crypto';
import { type SimRequest, type SimResponse, basicAuth, json } from '../http';
import { DEFAULT_TWITTER_LOGIN, problem } from './common';
import type { twitterCore } from './core';

export function twitterTokens(ctx: ReturnType<typeof twitterCore>) {
  const { apps, oauthClient, tokenTtl } = ctx;
  // ---------------------------------------------------------------- tokens
  const appTokens = new Map<string, string>(apps.map((a) => [a.bearerToken, `app:${a.key}`]));
  const userTokens = new Map<string, { user: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();
  const codes = new Map<string, { redirectUri: string; challenge?: string }>();

  const oauthToken = (req: SimRequest): SimResponse => {
    const grant = req.body.get('grant_type');
    const auth = basicAuth(req.headers.authorization);
    const clientId = auth?.user ?? req.body.get('client_id');
    const endpoint = 'POST /2/oauth2/token';
    if (clientId !== oauthClient.clientId || (auth && auth.pass !== oauthClient.clientSecret)) {
      return { ...json(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' }), endpoint };
    }
    const issueUser = (user: string) => {
      const access = `simxu-${randomBytes(18).toString('base64url')}`;
      const refresh = `simxr-${randomBytes(18).toString('base64url')}`;
      userTokens.set(access, { user, expiresAt: Date.now() + tokenTtl * 1000 });
      refreshTokens.set(refresh, user);
      return {
        ...json(200, {
          token_type: 'bearer',
          expires_in: tokenTtl,
          access_token: access,
          scope: 'tweet.read users.read offline.access',
          refresh_token: refresh,
        }),
        endpoint,
        client: `user:${user}`,
      };
    };
    if (grant === 'authorization_code') {
      const code = codes.get(req.body.get('code') ?? '');
      if (!code || code.redirectUri !== req.body.get('redirect_uri') || !req.body.get('code_verifier')) {
        return { ...json(400, { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' }), endpoint };
      }
      codes.delete(req.body.get('code') as string);
      return issueUser(DEFAULT_TWITTER_LOGIN);
    }
    if (grant === 'refresh_token') {
      const user = refreshTokens.get(req.body.get('refresh_token') ?? '');
      if (!user) return { ...json(400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' }), endpoint };
      refreshTokens.delete(req.body.get('refresh_token') as string);
      return issueUser(user);
    }
    if (grant === 'client_credentials') return appToken(req);
    return { ...json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' }), endpoint };
  };

  /** App-only bearer for a consumer key/secret (POST /oauth2/token). */
  const appToken = (req: SimRequest): SimResponse => {
    const auth = basicAuth(req.headers.authorization);
    const app = auth && apps.find((a) => a.key === auth.user && a.secret === auth.pass);
    if (!app || req.body.get('grant_type') !== 'client_credentials') {
      return {
        ...json(403, { errors: [{ code: 99, message: 'Unable to verify your credentials', label: 'authenticity_token_error' }] }),
        endpoint: 'POST /oauth2/token',
      };
    }
    return { ...json(200, { token_type: 'bearer', access_token: app.bearerToken }), endpoint: 'POST /oauth2/token', client: `app:${app.key}` };
  };

  const authorize = (req: SimRequest): SimResponse => {
    const redirect = req.query.get('redirect_uri');
    if (req.query.get('client_id') !== oauthClient.clientId || !redirect || req.query.get('response_type') !== 'code') return problem(400, 'Invalid Request');
    // No consent page: the simulated user approves at once.
    const code = `simxc-${randomBytes(12).toString('base64url')}`;
    codes.set(code, { redirectUri: redirect, challenge: req.query.get('code_challenge') ?? undefined });
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    if (req.query.get('state')) target.searchParams.set('state', req.query.get('state') as string);
    return { status: 302, headers: { location: target.toString() }, body: '', contentType: 'text/plain', endpoint: 'GET /i/oauth2/authorize' };
  };

  return { appTokens, userTokens, refreshTokens, codes, oauthToken, appToken, authorize };
}

// Helpers for the simulator tests: real HTTP against started servers.
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS } from '../../sim/reddit';

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export async function redditToken(authUrl: string, client = DEFAULT_REDDIT_CLIENTS[0]): Promise<string> {
  const login = DEFAULT_REDDIT_LOGINS[0];
  const res = await fetch(authUrl, {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: login.username, password: login.password }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

export interface ListingData {
  after: string | null;
  before: string | null;
  dist: number;
  children: { kind: string; data: Record<string, unknown> }[];
}

export async function getJson<T = unknown>(url: string, token?: string): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await fetch(url, { headers: token ? { authorization: `bearer ${token}` } : {} });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the test looks at the text.
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

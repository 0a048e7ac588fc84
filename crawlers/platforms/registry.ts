// The platforms ringwatch crawls: the built-in folders, plus any registered at run time
// (a test's platform, a plug-in). Everything per platform elsewhere — configuration
// sections, secrets, crawl jobs and queues, schedules, the CLI's and the API's platform
// names, colours and labels — is derived from this list; adding a platform is adding a
// folder and a line in BUILT_IN_PLATFORMS (docs/architecture.md).
import type { Static, TObject } from '@sinclair/typebox';
import type { GateFactory } from '../rate-gate';
import type { CrawlSettings } from '../settings';
import type { Source } from '../source';
import type { PlatformDescriptor } from './descriptor';
import { reddit } from './reddit/index';
import { twitter } from './twitter/index';
import { web } from './web/index';

export const BUILT_IN_PLATFORMS = [reddit, twitter, web] as const;

type BuiltIn = (typeof BUILT_IN_PLATFORMS)[number];
/** The built-in platforms' configuration sections, as the `Config` type shows them. */
export type BuiltInSections = { [D in BuiltIn as D['id']]: Static<D['config']['schema']> };
/** Keys the built-in platforms read from `config.secrets`. */
export type BuiltInSecret = BuiltIn extends infer D ? (D extends PlatformDescriptor<string, TObject, infer K> ? K : never) : never;

/** `crawl all` means every platform. */
const RESERVED = new Set(['all']);
const ID = /^[a-z][a-z0-9_]{0,31}$/;

const registered: PlatformDescriptor[] = [...BUILT_IN_PLATFORMS];

/** The loaded configuration as a platform's functions take it (each reads its own section and secrets). */
type AnyConfig = { crawl: CrawlSettings; secrets: object };

export function platforms(): readonly PlatformDescriptor[] {
  return registered;
}

export function platformIds(): string[] {
  return registered.map((p) => p.id);
}

export function findPlatform(id: string): PlatformDescriptor | undefined {
  return registered.find((p) => p.id === id);
}

/** Adds a platform after the built-in ones; returns a function that removes it again. */
export function registerPlatform(d: PlatformDescriptor): () => void {
  if (!ID.test(d.id) || RESERVED.has(d.id)) throw new Error(`platform id "${d.id}" must be a lower-case word (a-z, 0-9, _) other than ${[...RESERVED].join(', ')}`);
  if (findPlatform(d.id)) throw new Error(`platform "${d.id}" is already registered`);
  registered.push(d);
  return () => {
    const i = registered.indexOf(d);
    if (i >= 0) registered.splice(i, 1);
  };
}

function known(id: string): PlatformDescriptor {
  const d = findPlatform(id);
  if (!d) throw new Error(`unknown platform "${id}" (${platformChoice()})`);
  return d;
}

/** "a, b and c" (or "a, b or c"). */
export function joinWords(words: readonly string[], conjunction = 'and'): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

/** "reddit, twitter, web or all": what `crawl` accepts. */
export function platformChoice(): string {
  return joinWords([...platformIds(), 'all'], 'or');
}

/** "Reddit, X and review pages" (or "… and/or …"), for descriptions. */
export function platformLabels(conjunction = 'and'): string {
  return joinWords(registered.map((p) => p.label), conjunction);
}

/** Why a platform cannot be crawled with this configuration, or null when it can. */
export function whyNotConfigured(config: AnyConfig, id: string): string | null {
  return known(id).whyNotConfigured(config as never);
}

/** The platform's source; `gates` makes the rate gates (default in-process; BullMQ workers pass Redis-shared ones). */
export async function createSource(config: AnyConfig, id: string, gates?: GateFactory): Promise<Source> {
  const d = known(id);
  const why = d.whyNotConfigured(config as never);
  if (why) throw new Error(why);
  return d.createSource(config as never, gates);
}

/** The platform's graph colour "#rrggbb", undefined for import sources and unknown names. */
export function platformColour(id: string): string | undefined {
  return findPlatform(id)?.colour;
}

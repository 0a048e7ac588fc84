import path from 'node:path';
import type { PlatformDescriptor } from '../crawlers/platforms/descriptor';
import { type BuiltInSections, platforms } from '../crawlers/platforms/registry';
import type { Config } from './schema';

/** Each platform's section defaults (from its descriptor), a copy each time. */
function platformDefaults(list: readonly PlatformDescriptor[]): BuiltInSections {
  return Object.fromEntries(list.map((p) => [p.id, structuredClone(p.config.defaults)])) as BuiltInSections;
}

/** Built-in defaults: a working local setup against the embedded store; platform sections after `server`. */
export function defaults(cwd: string, list: readonly PlatformDescriptor[] = platforms()): Omit<Config, 'secrets'> {
  const dataDir = path.join(cwd, 'data');
  return {
    dataDir,
    database: 'ringwatch',
    logLevel: 'info',
    server: { host: '127.0.0.1', port: 8787, rateLimitPerMinute: 600, failedLoginsPerMinute: 10 },
    ...platformDefaults(list),
    crawl: { maxRetries: 5, requestTimeoutMs: 30_000, maxRequests: 0, concurrency: 3, deletionSyncDays: 7 },
    schedules: [],
    detect: { window: '72h', louvainResolution: 1, seed: 42, coShareWindow: '10s' },
    escalations: {
      regionMap: {
        na: 'NA', 'north america': 'NA', us: 'NA', usa: 'NA', canada: 'NA',
        'na-east': 'NA-East', 'us-east': 'NA-East', 'north america east': 'NA-East',
        'na-west': 'NA-West', 'us-west': 'NA-West', 'north america west': 'NA-West',
        eu: 'EU', europe: 'EU', emea: 'EU',
        'eu-central': 'EU-Central', 'central europe': 'EU-Central', de: 'EU-Central',
        uk: 'UK', gb: 'UK', 'united kingdom': 'UK', 'great britain': 'UK',
        apac: 'APAC', asia: 'APAC', 'asia pacific': 'APAC', jp: 'APAC', au: 'APAC',
        latam: 'LATAM', 'latin america': 'LATAM', br: 'LATAM', mx: 'LATAM',
      },
      channelMap: {
        email: 'email', 'e-mail': 'email', mail: 'email',
        phone: 'phone', call: 'phone', telephone: 'phone',
        chat: 'chat', 'live chat': 'chat',
        social: 'social', twitter: 'social', x: 'social', reddit: 'social',
        letter: 'letter', executive: 'executive', 'exec email': 'executive',
      },
      hashCustomerIds: false,
      piiMasking: true,
    },
    // Relative to dataDir (resolved in loadConfig), so RINGWATCH_DATA moves it too.
    reports: { outDir: 'reports' },
  };
}

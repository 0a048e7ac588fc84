// Public API of the platform simulator.
export { generateWorld, worldAccountIds, postCount, DEFAULT_NOW, SCALES, REGIONS } from './world';
export type { World, WorldOptions, Scale, GroundTruth, TruthRing, TruthBurst, RedditUser, RedditSubmission, RedditComment, TwitterUser, Tweet, WebReview, OrderRow, EscalationRow } from './world';
export type { SimProduct } from './catalogue';
export { writeWorldFiles, reviewRows, ESCALATION_COLUMNS, ORDER_COLUMNS, REVIEW_COLUMNS } from './files';
export { startSimulator } from './server';
export type { Simulator, SimulatorOptions, PlatformName } from './server';
export { createRedditSim, DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS } from './reddit';
export type { FaultOptions } from './faults';
export type { LimitSpec } from './ratelimit';
export { maxInSlidingWindow, countsPerFixedWindow, cycleShares, RequestLog } from './stats';
export type { SimStats, RequestRecord } from './stats';
export { redditAccountId, twitterAccountId, webAccountId, snowflakeTime } from './ids';
export { createTwitterSim, DEFAULT_TWITTER_APPS, DEFAULT_TWITTER_OAUTH_CLIENT, DEFAULT_TWITTER_LOGIN, TWITTER_ENDPOINT_LIMITS } from './twitter';
export type { TwitterRateLimits } from './twitter';
export { createWebSim, ROBOTS_TXT, escapeHtml } from './web';
export { simServe, describeSimulator } from './cli';
export type { SimServeOptions } from './cli';

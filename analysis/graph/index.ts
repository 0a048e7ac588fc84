// The account graph stage: co-action edges → weighted graph → connected Louvain communities.
export { buildAccountGraph, completeAccounts, sortPosts, type AccountGraph, type GraphBuildResult } from './build';
export { collectCoActions, crowdDiscount, minhashJaccard, postObjects, ratingAgreement } from './coactions';
export { fallbackKeys, forEachBandBucket } from './near-duplicates';
export { detectCommunities, seededRng, splitConnected, DEFAULT_COMMUNITY_OPTIONS, type CommunityOptions, type CommunityResult } from './communities';
export { normaliseHandle, parseMention, referenceKey } from './handles';
export { normaliseUrl, postCodes, postProducts, postUrls } from './products';
export * from './types';
export { CREATION_BOOST, edgeWeight, REASON_WEIGHTS } from './weight';
export { estimateCoordinationWindow, quantile } from './window';

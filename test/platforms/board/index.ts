// A test-only platform, "board": a small message-board JSON API (server.ts serves one on
// 127.0.0.1). This folder is all there is to it — the descriptor below is registered
// through the same list as the built-in platforms (registerPlatform), and the crawl job,
// the queue, the schedules, the configuration and the exports derive from it
// (test/platforms/platform.test.ts).
import { definePlatform } from '../../../crawlers/platforms/descriptor';
import { BoardConfig } from './config';
import { IETF_HEADERS } from './rate-headers';

export const board = definePlatform({
  id: 'board',
  label: 'the test board',
  colour: '#7b3fa0',
  config: {
    schema: BoardConfig,
    defaults: { baseUrl: 'https://board.invalid/', boards: [], rateWindowSec: 1 },
    env: { BOARD_BASE_URL: 'baseUrl' },
  },
  secrets: { BOARD_TOKEN: 'boardToken' },
  rateHeaders: IETF_HEADERS,
  whyNotConfigured(config) {
    if (!config.secrets.boardToken) return 'the test board needs BOARD_TOKEN';
    if (config.board.boards.length === 0) return 'nothing to crawl on the test board: set board.boards';
    return null;
  },
  async createSource(config, gates) {
    const { BoardSource } = await import('./source');
    return new BoardSource(config, gates);
  },
});

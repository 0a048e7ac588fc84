import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Child processes, not threads: tests start and kill real servers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: `.cache/vitest-report-${process.env.RINGWATCH_TEST_PHASE ?? 'all'}.json` }]]
      : ['default'],
  },
});

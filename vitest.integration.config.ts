import { defineConfig } from 'vitest/config';

// Integration and end-to-end tests: they run as root against the lab's real hosts.
// One file at a time, because they share the lab's hosts and LAN.
export default defineConfig({
  test: {
    include: ['packages/*/test/integration/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/setup/lab.global.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
    reporters: ['default', ['json', { outputFile: 'test/.artifacts/integration.json' }]],
  },
});

import { defineConfig } from 'vitest/config';

// The failover benchmark is driven by vitest only because its lab helpers are TypeScript; it is not
// a test suite. Run as root from the repo root: npx vitest run --config bench/failover/vitest.config.ts
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['bench/failover/**/*.run.ts'],
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 900_000,
  },
});

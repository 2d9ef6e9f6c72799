import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'mocks/**/*.test.ts', 'suites/**/*.test.ts'],
    // Generous: a timeout guards against a hang, it measures nothing (a loaded 2-core CI machine runs the suite too).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

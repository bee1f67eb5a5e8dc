import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Each integration file clones its own database from the template; two cores, two workers.
    maxWorkers: 2,
    // Ceilings for a machine busy with other work, not measures of speed.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});

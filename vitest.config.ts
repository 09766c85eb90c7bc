import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['daemon/**/*.test.ts', 'shared/**/*.test.ts', 'tui/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // ONNX Runtime's telemetry writes `.ses` and `mat-debug-<pid>.log` into the temp dir of every
    // process that opens a session; tests (and the daemons they spawn, which inherit this) must
    // leave the temp dir as they found it (scripts/run-tests.ts checks).
    env: { ORT_DISABLE_TELEMETRY: '1' },
  },
});

import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { createShutdown } from './shutdown.js';

describe('createShutdown', () => {
  it('runs every step once, in order, and exits 0', async () => {
    const calls: string[] = [];
    const shutdown = createShutdown({
      stopJobs: async () => { calls.push('jobs'); },
      releaseModels: async () => { calls.push('models'); },
      closeServer: async () => { calls.push('server'); },
      cleanup: () => calls.push('cleanup'),
      exit: (code) => calls.push(`exit ${code}`),
    }, silentLogger);
    await Promise.all([shutdown('SIGTERM'), shutdown('SIGINT')]);
    expect(calls).toEqual(['jobs', 'models', 'server', 'cleanup', 'exit 0']);
  });

  it('keeps going after a failed step and exits 1', async () => {
    const calls: string[] = [];
    await createShutdown({
      stopJobs: async () => { throw new Error('journal'); },
      releaseModels: async () => { calls.push('models'); },
      closeServer: async () => { calls.push('server'); },
      cleanup: () => calls.push('cleanup'),
      exit: (code) => calls.push(`exit ${code}`),
    }, silentLogger)('idle');
    expect(calls).toEqual(['models', 'server', 'cleanup', 'exit 1']);
  });
});

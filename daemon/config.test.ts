import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const env = { HOME: '/home/u', FRAMEPACK_RUNTIME_DIR: '/tmp/rt' };

describe('loadConfig', () => {
  it('has the documented defaults and XDG-style directories', () => {
    const c = loadConfig([], env);
    expect(c).toMatchObject({
      socketPath: '/tmp/rt/fp.sock', dataDir: '/home/u/.local/share/framepack', outputDir: '/home/u/.local/share/framepack/outputs',
      engine: 'onnx', keepAliveMs: 300_000, preserveVramBytes: 6 * 1024 ** 3, idleTimeoutMs: 0, queueLimit: 64,
    });
    expect(loadConfig([], { ...env, XDG_DATA_HOME: '/x' }).dataDir).toBe('/x/framepack');
  });

  it('takes env, and flags over env', () => {
    const c = loadConfig(['--keep-alive', '-1', '--engine=fake', '--preserve-vram', '10'], { ...env, FRAMEPACK_KEEP_ALIVE: '10m', FRAMEPACK_MAX_QUEUE: '3' });
    expect(c).toMatchObject({ keepAliveMs: -1, engine: 'fake', preserveVramBytes: 10 * 1024 ** 3, queueLimit: 3 });
  });

  it('names the flag in every error', () => {
    expect(() => loadConfig(['--engine', 'gpu'], env)).toThrow(/--engine/);
    expect(() => loadConfig(['--keep-alive', 'soon'], env)).toThrow(/--keep-alive/);
    expect(() => loadConfig(['--bogus', '1'], env)).toThrow(/unknown flag '--bogus'/);
    expect(() => loadConfig(['--max-queue'], env)).toThrow(/needs a value/);
  });
});

import { describe, expect, it } from 'vitest';
import { probeExpected, probeModelBytes, tryProvider } from './ort-checks.js';
import { probeWebgpuInChild, vulkanWarnings } from './webgpu-probe.js';

const request = async () => ({ model: await probeModelBytes(), x: new Float32Array(16), dims: [2, 8] });

describe('WebGPU probe in a child process', () => {
  it('this machine: a real attempt either runs the probe graph or fails with ORT\'s and Vulkan\'s words, never crashing the caller', async () => {
    const r = await tryProvider('webgpu');
    if (r.usable) return; // a machine with a Vulkan GPU: nothing failed to check
    // No Vulkan driver (CI): Dawn asks for an adapter and gets none.
    expect(r.error).toMatch(/WebGPU adapter|Vulkan|no answer|crashed/);
    expect(r.ms).toBeLessThan(20_000);
    // The same process still runs the CPU provider afterwards (the failure stayed in the child).
    expect((await tryProvider('cpu')).usable).toBe(true);
    expect(Array.from(probeExpected())).toHaveLength(8);
  });

  it('a probe that hangs is killed at its timeout', async () => {
    const started = performance.now();
    const r = await probeWebgpuInChild(await request(), { timeoutMs: 1500, source: 'setInterval(() => {}, 1000);' });
    expect(r.y).toBeNull();
    expect(r.error).toBe('the WebGPU probe process gave no answer within 1500 ms (killed)');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a probe that aborts (native crash) is reported with its signal; its stderr is kept', async () => {
    const r = await probeWebgpuInChild(await request(), { source: "process.stderr.write('Warning: vkCreateInstance: Found no drivers!\\n'); process.abort();" });
    expect(r.error).toBe('the WebGPU probe process crashed (SIGABRT)');
    expect(vulkanWarnings(r.stderr)).toEqual(['vkCreateInstance: Found no drivers!']);
  });

  it('an answer with an error is passed through; a garbled one is reported', async () => {
    const errored = await probeWebgpuInChild(await request(), { source: "process.stdout.write(JSON.stringify({ ok: false, error: 'Failed to get a WebGPU adapter: No supported adapters\\nmore', ms: 3 }) + '\\n');" });
    expect(errored).toMatchObject({ y: null, error: 'Failed to get a WebGPU adapter: No supported adapters', ms: 3 });
    const garbled = await probeWebgpuInChild(await request(), { source: "process.stdout.write('{not json\\n'); process.exit(7);" });
    expect(garbled.error).toBe('the WebGPU probe process exited with status 7 without an answer');
  });
});

// `generate --local --provider` through the real command: a provider named explicitly that cannot
// run fails with one doctor-style line (the missing piece and the fix) and exit 1, before any
// session opens; `auto` falls back to the CPU and says why in its loading stage.
import { afterAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { createCliHarness, ndjson } from '../helpers/cli-harness.js';

const { dir, image, framepack } = await createCliHarness('fp-provider-');
afterAll(() => rm(dir, { recursive: true, force: true }));
const job = ['generate', '--image', image, '--prompt', 'a red ball', '--seconds', '1', '--steps', '1', '--local'];

describe('generate --local --provider', () => {
  it('webgpu with a Vulkan driver that is not there: exit 1, one line naming the missing piece and the fix', async () => {
    // VK_DRIVER_FILES naming a missing file makes the failure the same on every machine (GPU or not).
    const r = await framepack([...job, '--provider', 'webgpu'], { VK_DRIVER_FILES: '/nonexistent/nvidia_icd.json' });
    expect(r.code).toBe(1);
    const line = r.stderr.trim().split('\n').at(-1)!;
    expect(line).toMatch(/^framepack: execution provider 'webgpu' is not usable here: (VK_DRIVER_FILES names \/nonexistent\/nvidia_icd.json, which does not exist — fix: point VK_DRIVER_FILES at the GPU driver's ICD JSON|the Vulkan loader libvulkan.so.1 is not installed .* — fix: apt-get install libvulkan1 )/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('a provider name that does not exist is a usage error', async () => {
    const r = await framepack([...job, '--provider', 'vulkan']);
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 2, stderr: 'framepack: --provider must be one of auto, cpu, cuda, webgpu (got "vulkan")' });
  });

  it('auto with no usable GPU provider runs on the CPU and says why', async () => {
    const r = await framepack([...job, '--provider', 'auto', '--json', '--out', `${dir}/auto.mp4`], { VK_DRIVER_FILES: '/nonexistent/nvidia_icd.json' });
    expect(r.code).toBe(0);
    const events = ndjson(r.stdout);
    const said = events.find((e) => e.type === 'stage' && typeof e.message === 'string' && e.message.startsWith('running on '));
    // On a CUDA machine auto picks CUDA; everywhere else the reason lists what each GPU provider lacks.
    expect(String(said?.message)).toMatch(/^running on (cuda: the CUDA provider ran|cpu: the CUDA provider is not usable \(.+\); WebGPU is not usable \(VK_DRIVER_FILES names \/nonexistent\/nvidia_icd.json, which does not exist\); running on the CPU$)/);
    expect(events.at(-1)).toMatchObject({ type: 'job.succeeded' });
  }, 60_000);
});

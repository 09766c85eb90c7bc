// The device probe up to the GPU step, on this machine: pack (size ≤ 60 MB), unpack into a temp
// dir with the packed Node and onnxruntime (not the repository's), a small bundle built there,
// and run.sh's CPU run with tiny shapes. A .deb made here stands in for Debian's Vulkan packages
// (no network needed): its library must be what the probe finds through run.sh's LD_LIBRARY_PATH.
// Slow for a unit test (xz of the Node binary, ~30-60 s here at level 0): one test does it all.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { pack, PACK_LIMIT_BYTES } from './pack.js';

const run = promisify(execFile);
const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-device-test-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function fakeVulkanDeb(dir: string): Promise<void> {
  const root = path.join(tmp, 'deb-root');
  await mkdir(path.join(root, 'DEBIAN'), { recursive: true });
  await mkdir(path.join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  await writeFile(path.join(root, 'DEBIAN/control'), 'Package: fp-fake-vulkan\nVersion: 1.0\nArchitecture: amd64\nMaintainer: test <t@example.com>\nDescription: stand-in for libvulkan1 in tests\n');
  await writeFile(path.join(root, 'usr/lib/x86_64-linux-gnu/libvulkan.so.1'), 'not a real library\n');
  await mkdir(dir, { recursive: true });
  await run('dpkg-deb', ['--build', '--root-owner-group', root, path.join(dir, 'fp-fake-vulkan_1.0_amd64.deb')]);
}

describe('device probe (pack → unpack → CPU run)', () => {
  it('packs under 60 MB, unpacks and runs the probe on the CPU with the packed Node and onnxruntime', async () => {
    const debs = path.join(tmp, 'debs');
    await fakeVulkanDeb(debs);
    const packed = await pack({ out: path.join(tmp, 'framepack-device.tar'), xzLevel: 0, debDir: debs });
    expect(packed.bytes).toBeLessThanOrEqual(PACK_LIMIT_BYTES);
    expect(Object.keys(packed.parts).sort()).toEqual(['debs/fp-fake-vulkan_1.0_amd64.deb', 'node.xz', 'ort.tar.xz', 'probe.mjs', 'run.sh']);

    const unpacked = path.join(tmp, 'device');
    await mkdir(unpacked);
    await run('tar', ['-xf', packed.file, '-C', unpacked]);
    const results = path.join(tmp, 'results');
    const work = path.join(tmp, 'work');
    // A PATH without the repository's Node: run.sh must use the one it unpacked.
    const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: tmp, FRAMEPACK_DEVICE_WORK: work, VK_DRIVER_FILES: '/nonexistent/nvidia_icd.json' };
    const r = await run(path.join(unpacked, 'framepack-device/run.sh'), [results, '--providers', 'cpu', '--preset', 'tiny', '--bucket', '64x96', '--steps', '2', '--runs', '1', '--matmul', '64,128,64'], { env, maxBuffer: 16 << 20 })
      .catch((err: { stderr?: string; stdout?: string }) => { throw new Error(`run.sh failed: ${err.stderr ?? ''}${err.stdout ?? ''}`); });
    expect(r.stderr).toMatch(/done in \d+ s; results in/);

    const envJson = JSON.parse(await readFile(path.join(results, 'env.json'), 'utf8'));
    expect(envJson.vulkan.loader).toBe(path.join(work, 'root/usr/lib/x86_64-linux-gnu/libvulkan.so.1'));
    expect(envJson.webgpuDiagnosis.missing).toBe('VK_DRIVER_FILES names /nonexistent/nvidia_icd.json, which does not exist');
    expect(JSON.parse(await readFile(path.join(results, 'build.json'), 'utf8'))).toMatchObject({ bundle: 'framepack-tiny-cheap', parameters: expect.any(Number) });

    const cpu = JSON.parse(await readFile(path.join(results, 'cpu.json'), 'utf8'));
    expect(cpu.host.ort).toBe('1.30.0');
    const graphs = cpu.graphs.filter((g: { bench: string }) => g.bench === 'graphs');
    expect(graphs).toHaveLength(10);
    for (const g of graphs) {
      expect(g.bucket).toBe('64x96');
      expect(g.placement.counts.CPUExecutionProvider).toBeGreaterThan(0);
    }
    expect(cpu.graphs.find((g: { bench: string }) => g.bench === 'graphs-step')).toMatchObject({ chain: 'host', provider: 'cpu' });
    expect(cpu.section).toMatchObject({ provider: 'cpu', steps: 2, decodedFrames: 33, secondsPerStep: expect.any(Number), sessionLoadMs: expect.any(Number) });
    expect(cpu.section.stepMs).toHaveLength(2);
    expect(cpu.matmul).toMatchObject({ shape: { m: 64, k: 128, n: 64 }, fp16: { medianMs: expect.any(Number) }, nbits4: { medianMs: expect.any(Number) } });
    // nvidia-smi polled during the section: nulls where there is none (this CI machine).
    if (cpu.sectionVram.samples === 0) expect(cpu.sectionVram).toEqual({ baselineMiB: null, peakMiB: null, samples: 0 });
    else expect(cpu.sectionVram.peakMiB).toBeGreaterThanOrEqual(cpu.sectionVram.baselineMiB);
  }, 400_000);
});

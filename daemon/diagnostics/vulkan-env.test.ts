import { describe, expect, it } from 'vitest';
import { APT_FIX, diagnoseWebgpu, NVIDIA_EXTRA_ICD, vulkanFacts, type FsDeps } from './vulkan-env.js';

const LIB = '/lib/x86_64-linux-gnu';
const GLVND = ['libGLdispatch.so.0', 'libGLX.so.0', 'libEGL.so.1', 'libGL.so.1', 'libGLESv2.so.2', 'libOpenGL.so.0'].map((so) => `${LIB}/${so}`);
const nvidiaIcd = JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.3.277' } });

/** A machine as a set of files (path → content; '' for libraries). */
function machine(files: Record<string, string>): FsDeps {
  const paths = Object.keys(files);
  return {
    exists: (p) => p in files || paths.some((f) => f.startsWith(`${p}/`)),
    listDir: (d) => paths.filter((f) => f.startsWith(`${d}/`) && !f.slice(d.length + 1).includes('/')).map((f) => f.slice(d.length + 1)),
    readText: (f) => { if (!(f in files)) throw new Error('ENOENT'); return files[f]!; },
  };
}
const withLibs = (...libs: string[]) => Object.fromEntries(libs.map((l) => [l, '']));
const diagnose = (files: Record<string, string>, env: NodeJS.ProcessEnv = {}, probeError: string | null = null) => diagnoseWebgpu(vulkanFacts(env, machine(files)), probeError);

describe('diagnoseWebgpu: the missing piece of the Vulkan stack and its fix', () => {
  it('no Vulkan loader: the apt packages', () => {
    expect(diagnose({})).toEqual({ blocking: true, missing: 'the Vulkan loader libvulkan.so.1 is not installed (WebGPU runs on Vulkan)', fix: APT_FIX });
    expect(APT_FIX).toBe('apt-get install libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libgles2 libopengl0');
  });

  it('loader but no ICD (this CI machine): names the folders searched', () => {
    const d = diagnose(withLibs(`${LIB}/libvulkan.so.1`));
    expect(d).toMatchObject({ blocking: true, missing: 'no Vulkan driver: no ICD manifest in /etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d, /usr/share/vulkan/icd.d' });
    expect(d!.fix).toMatch(/VK_DRIVER_FILES/);
  });

  it("NVIDIA's ICD only where the loader does not look: export VK_DRIVER_FILES", () => {
    const d = diagnose({ ...withLibs(`${LIB}/libvulkan.so.1`, ...GLVND), [NVIDIA_EXTRA_ICD]: nvidiaIcd });
    expect(d).toEqual({ blocking: true, missing: `no Vulkan driver on the loader's path; NVIDIA's ICD is at ${NVIDIA_EXTRA_ICD}, where the loader does not look`, fix: `export VK_DRIVER_FILES=${NVIDIA_EXTRA_ICD}` });
  });

  it('VK_DRIVER_FILES naming a file that does not exist', () => {
    const d = diagnose({ ...withLibs(`${LIB}/libvulkan.so.1`), [NVIDIA_EXTRA_ICD]: nvidiaIcd }, { VK_DRIVER_FILES: '/nope/nvidia_icd.json' });
    expect(d).toMatchObject({ blocking: true, missing: 'VK_DRIVER_FILES names /nope/nvidia_icd.json, which does not exist', fix: `point VK_DRIVER_FILES at the GPU driver's ICD JSON (export VK_DRIVER_FILES=${NVIDIA_EXTRA_ICD})` });
  });

  it('NVIDIA ICD with libvulkan1 alone: libglvnd is missing, and the packages for exactly what is missing', () => {
    const files = { ...withLibs(`${LIB}/libvulkan.so.1`, `${LIB}/libGLX_nvidia.so.0`, `${LIB}/libEGL.so.1`), '/usr/share/vulkan/icd.d/nvidia_icd.json': nvidiaIcd };
    const d = diagnose(files);
    expect(d!.blocking).toBe(true);
    expect(d!.missing).toMatch(/^NVIDIA's Vulkan driver needs libglvnd, and libGLdispatch.so.0, libGLX.so.0, libGL.so.1, libGLESv2.so.2, libOpenGL.so.0 are missing/);
    expect(d!.fix).toBe('apt-get install libglvnd0 libglx0 libgl1 libgles2 libopengl0');
  });

  it('ICD whose driver library is absent; LD_LIBRARY_PATH is searched', () => {
    const files = { ...withLibs(`${LIB}/libvulkan.so.1`, ...GLVND), '/etc/vulkan/icd.d/nvidia_icd.json': nvidiaIcd };
    expect(diagnose(files)).toMatchObject({ blocking: true, missing: 'the Vulkan driver library libGLX_nvidia.so.0 named by /etc/vulkan/icd.d/nvidia_icd.json is not found' });
    expect(diagnose({ ...files, '/opt/nv/libGLX_nvidia.so.0': '' }, { LD_LIBRARY_PATH: '/opt/nv' })).toBeNull();
  });

  it('only a software driver (lavapipe): not blocking (the probe decides), and says Dawn rejects it', () => {
    const files = { ...withLibs(`${LIB}/libvulkan.so.1`, `${LIB}/libvulkan_lvp.so`), '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json': JSON.stringify({ ICD: { library_path: '/lib/x86_64-linux-gnu/libvulkan_lvp.so' } }) };
    expect(diagnose(files)).toMatchObject({ blocking: false, missing: expect.stringMatching(/only a software Vulkan driver \(lvp_icd.x86_64.json\)/) });
  });

  it('a complete stack: nothing missing until a probe fails, then its error and how to check', () => {
    const files = { ...withLibs(`${LIB}/libvulkan.so.1`, `${LIB}/libGLX_nvidia.so.0`, ...GLVND), '/usr/share/vulkan/icd.d/nvidia_icd.json': nvidiaIcd };
    expect(diagnose(files)).toBeNull();
    expect(diagnose(files, {}, 'Failed to get a WebGPU adapter: No supported adapters')).toMatchObject({ blocking: false, missing: 'the Vulkan stack looks complete but WebGPU failed: Failed to get a WebGPU adapter: No supported adapters', fix: expect.stringMatching(/vulkaninfo --summary/) });
    // VK_DRIVER_FILES pointing at the extra NVIDIA path makes it the loader's only ICD.
    expect(diagnose({ ...files, [NVIDIA_EXTRA_ICD]: nvidiaIcd }, { VK_DRIVER_FILES: NVIDIA_EXTRA_ICD })).toBeNull();
  });

  it('reads this machine without throwing', () => {
    const f = vulkanFacts();
    expect(Array.isArray(f.icds)).toBe(true);
  });
});

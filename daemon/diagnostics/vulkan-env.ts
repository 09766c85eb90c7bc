// What the WebGPU execution provider needs below it, read from the file system: onnxruntime-node's
// WebGPU EP is Dawn over Vulkan on Linux, so it needs the Vulkan loader (libvulkan.so.1), an ICD
// manifest the loader finds (VK_DRIVER_FILES / VK_ICD_FILENAMES, else the standard icd.d folders)
// whose driver library loads, and for NVIDIA's driver libglvnd (libGLX_nvidia links
// libGLdispatch; with libvulkan1 alone Dawn says "Found no drivers"). `vulkanFacts` gathers these
// (file system injected, so tests can describe any machine); `diagnoseWebgpu` turns them, and the
// probe's error if one ran, into the missing piece and its fix, for doctor and `--provider webgpu`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The Debian packages the WebGPU provider's Vulkan path needs (the loader + libglvnd for NVIDIA's ICD). */
export const VULKAN_APT_PACKAGES = ['libvulkan1', 'libglvnd0', 'libegl1', 'libgl1', 'libglx0', 'libgles2', 'libopengl0'] as const;
export const APT_FIX = `apt-get install ${VULKAN_APT_PACKAGES.join(' ')}`;
/** Where the Vulkan loader looks for ICD manifests when VK_DRIVER_FILES / VK_ICD_FILENAMES are unset. */
export const VULKAN_ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];
/** Where NVIDIA's container toolkit / driver installs put the ICD; the loader does not search it. */
export const NVIDIA_EXTRA_ICD = '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json';
/** Library folders searched for sonames (Debian multiarch first). */
export const LIB_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib', '/usr/local/nvidia/lib64', '/usr/local/nvidia/lib'];
/** libglvnd's sonames (package in brackets) that NVIDIA's Vulkan ICD library pulls in. */
export const GLVND_LIBS: Record<string, string> = {
  'libGLdispatch.so.0': 'libglvnd0', 'libGLX.so.0': 'libglx0', 'libEGL.so.1': 'libegl1', 'libGL.so.1': 'libgl1',
  'libGLESv2.so.2': 'libgles2', 'libOpenGL.so.0': 'libopengl0',
};

export interface IcdFact {
  manifest: string;
  /** library_path from the manifest, or null when the JSON could not be read. */
  library: string | null;
  /** Whether that library file was found (absolute path, relative to the manifest, or a soname in the library folders). */
  libraryFound: boolean;
}

export interface VulkanFacts {
  /** Where libvulkan.so.1 was found, or null. */
  loader: string | null;
  /** 'VK_DRIVER_FILES' / 'VK_ICD_FILENAMES' when set (the loader then uses only those), else null. */
  icdEnv: string | null;
  /** Entries of that variable that do not exist. */
  icdEnvMissing: string[];
  /** ICD manifests the loader will read. */
  icds: IcdFact[];
  /** The NVIDIA ICD at NVIDIA_EXTRA_ICD when it exists but the loader is not pointed at it. */
  unusedNvidiaIcd: string | null;
  /** libglvnd sonames not found. */
  glvndMissing: string[];
}

export interface FsDeps {
  exists?: (p: string) => boolean;
  listDir?: (dir: string) => string[];
  readText?: (file: string) => string;
}

function libDirs(env: NodeJS.ProcessEnv): string[] {
  return [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
}

export function vulkanFacts(env: NodeJS.ProcessEnv = process.env, deps: FsDeps = {}): VulkanFacts {
  const exists = deps.exists ?? existsSync;
  const listDir = deps.listDir ?? ((d: string) => { try { return readdirSync(d); } catch { return []; } });
  const readText = deps.readText ?? ((f: string) => readFileSync(f, 'utf8'));
  const dirs = libDirs(env);
  const findLib = (soname: string): string | null => dirs.map((d) => path.join(d, soname)).find((p) => exists(p)) ?? null;
  const jsonIn = (dir: string) => listDir(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));

  const icdEnv = env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : env.VK_ICD_FILENAMES ? 'VK_ICD_FILENAMES' : null;
  const icdEnvMissing: string[] = [];
  let manifests: string[];
  if (icdEnv) {
    manifests = [];
    for (const entry of env[icdEnv]!.split(':').filter(Boolean)) {
      if (!exists(entry)) icdEnvMissing.push(entry);
      else if (entry.endsWith('.json')) manifests.push(entry);
      else manifests.push(...jsonIn(entry));
    }
  } else {
    manifests = VULKAN_ICD_DIRS.flatMap(jsonIn);
  }
  const icds = manifests.map((manifest): IcdFact => {
    let library: string | null = null;
    try { library = (JSON.parse(readText(manifest)) as { ICD?: { library_path?: string } }).ICD?.library_path ?? null; } catch { /* unreadable: library stays null */ }
    let libraryFound = false;
    if (library) {
      libraryFound = library.includes('/')
        ? exists(path.isAbsolute(library) ? library : path.resolve(path.dirname(manifest), library))
        : findLib(library) !== null;
    }
    return { manifest, library, libraryFound };
  });
  const pointsAtNvidia = manifests.includes(NVIDIA_EXTRA_ICD);
  return {
    loader: findLib('libvulkan.so.1'),
    icdEnv, icdEnvMissing, icds,
    unusedNvidiaIcd: !pointsAtNvidia && exists(NVIDIA_EXTRA_ICD) ? NVIDIA_EXTRA_ICD : null,
    glvndMissing: Object.keys(GLVND_LIBS).filter((so) => findLib(so) === null),
  };
}

export interface WebgpuDiagnosis {
  /** One line: the missing piece. */
  missing: string;
  /** One line: what to do. */
  fix: string;
  /** True when the facts alone rule WebGPU out (no session needs to be tried). */
  blocking: boolean;
}

const isNvidia = (icd: IcdFact) => /nvidia/i.test(icd.manifest) || /nvidia/i.test(icd.library ?? '');
const isSoftware = (icd: IcdFact) => /lvp|lavapipe|swiftshader|llvmpipe/i.test(`${icd.manifest} ${icd.library ?? ''}`);
const glvndPackages = (missing: readonly string[]) => [...new Set(missing.map((so) => GLVND_LIBS[so]!))].join(' ');

/**
 * The first missing piece, in the order the stack needs them: loader, ICD manifest, driver
 * library, libglvnd (NVIDIA), then whatever the probe said (`probeError`, null when none ran).
 */
export function diagnoseWebgpu(f: VulkanFacts, probeError: string | null = null): WebgpuDiagnosis | null {
  if (!f.loader) {
    return { blocking: true, missing: 'the Vulkan loader libvulkan.so.1 is not installed (WebGPU runs on Vulkan)', fix: APT_FIX };
  }
  if (f.icdEnv && f.icdEnvMissing.length) {
    return { blocking: true, missing: `${f.icdEnv} names ${f.icdEnvMissing.join(', ')}, which does not exist`, fix: `point ${f.icdEnv} at the GPU driver's ICD JSON${f.unusedNvidiaIcd ? ` (export VK_DRIVER_FILES=${f.unusedNvidiaIcd})` : ' (ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d)'}` };
  }
  if (f.icds.length === 0) {
    if (f.unusedNvidiaIcd) {
      return { blocking: true, missing: `no Vulkan driver on the loader's path; NVIDIA's ICD is at ${f.unusedNvidiaIcd}, where the loader does not look`, fix: `export VK_DRIVER_FILES=${f.unusedNvidiaIcd}` };
    }
    return {
      blocking: true,
      missing: `no Vulkan driver: no ICD manifest ${f.icdEnv ? `in ${f.icdEnv}` : `in ${VULKAN_ICD_DIRS.join(', ')}`}`,
      fix: 'install the GPU driver\'s Vulkan part (NVIDIA: its nvidia_icd.json comes with the driver; in a container expose graphics, e.g. NVIDIA_DRIVER_CAPABILITIES=all) and set VK_DRIVER_FILES to its ICD JSON if it is not in /usr/share/vulkan/icd.d',
    };
  }
  const gpuIcds = f.icds.filter((i) => !isSoftware(i));
  const broken = gpuIcds.filter((i) => !i.libraryFound);
  if (gpuIcds.length > 0 && broken.length === gpuIcds.length) {
    const b = broken[0]!;
    return { blocking: true, missing: b.library ? `the Vulkan driver library ${b.library} named by ${b.manifest} is not found` : `the ICD manifest ${b.manifest} is unreadable or has no ICD.library_path`, fix: 'install the matching GPU driver (its user-space libraries), or add their folder to LD_LIBRARY_PATH' };
  }
  if (gpuIcds.some(isNvidia) && f.glvndMissing.length) {
    return { blocking: true, missing: `NVIDIA's Vulkan driver needs libglvnd, and ${f.glvndMissing.join(', ')} ${f.glvndMissing.length > 1 ? 'are' : 'is'} missing (Dawn then says "Found no drivers")`, fix: `apt-get install ${glvndPackages(f.glvndMissing)}` };
  }
  if (gpuIcds.length === 0) {
    return { blocking: false, missing: `only a software Vulkan driver (${f.icds.map((i) => path.basename(i.manifest)).join(', ')}); this onnxruntime's Dawn rejects it`, fix: 'install the GPU driver\'s Vulkan ICD and point VK_DRIVER_FILES at it' };
  }
  if (probeError) {
    return { blocking: false, missing: `the Vulkan stack looks complete but WebGPU failed: ${probeError}`, fix: `check that \`vulkaninfo --summary\` lists the GPU (apt-get install vulkan-tools); with several ICDs set VK_DRIVER_FILES to the GPU's one (${gpuIcds.map((i) => i.manifest).join(', ')})` };
  }
  return null;
}

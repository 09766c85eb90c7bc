// `framepack setup gpu`: installs onnxruntime-node's CUDA execution provider, the download its
// postinstall script does and this project skips at `npm ci` (DEPS.md §1, package.json
// allowScripts). It runs that same script (node_modules/onnxruntime-node/script/install.js) with
// ONNXRUNTIME_NODE_INSTALL=1, the variable the script reads first (script/install-utils.js
// parseInstallFlag): '1' forces the platform's downloads (cuda12 on linux/x64). A named value such
// as 'cuda12' is silently ignored by 1.30's parser (its default branch returns nothing), and under
// npm's environment (npm_config_local_prefix = dirname(npm_package_json)) the script then exits 0
// without doing anything, so those npm variables are removed too. Then the providers are re-probed. When the download fails (offline,
// proxy, NuGet down) it says what failed and exactly which files to place where by hand, read
// from the script's own install-metadata.js so they match the installed onnxruntime-node.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { errorLine } from './check.js';
import { ortBinaryDir, ortVersion, probeProviders, type ProbeDeps, type ProviderProbe } from './ort-checks.js';

export interface CudaInstallPlan {
  platform: string;
  /** 'cuda12', or null when onnxruntime-node downloads nothing for this platform. */
  flavour: string | null;
  binDir: string;
  nugetPackage: string | null;
  nugetVersion: string | null;
  nupkgUrl: string | null;
  /** File in the .nupkg (a zip) → destination file. */
  files: { from: string; to: string }[];
}

interface InstallMetadata {
  requirements: Record<string, string[]>;
  manifests: Record<string, Record<string, { package: string; path: string }>>;
  packages: Record<string, { name: string; versions: { feed: string; version: string }[] }>;
}

function ortPackageDir(): string {
  return path.resolve(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..');
}

/** What the install script would fetch for this platform, from its own metadata. */
export function cudaInstallPlan(platform: string = process.platform, arch: string = process.arch): CudaInstallPlan {
  const key = `${platform}/${arch}`;
  const meta = createRequire(import.meta.url)(path.join(ortPackageDir(), 'script', 'install-metadata.js')) as InstallMetadata;
  const binDir = ortBinaryDir(platform, arch);
  const flavour = meta.requirements[key]?.find((n) => n.startsWith('cuda')) ?? null;
  const manifest = flavour ? meta.manifests[`${key}:${flavour}`] : undefined;
  if (!flavour || !manifest) return { platform: key, flavour: null, binDir, nugetPackage: null, nugetVersion: null, nupkgUrl: null, files: [] };
  const first = Object.values(manifest)[0]!;
  const pkg = meta.packages[first.package];
  const version = pkg?.versions.find((v) => v.feed === 'nuget')?.version ?? pkg?.versions[0]?.version ?? ortVersion();
  const id = pkg?.name ?? 'Microsoft.ML.OnnxRuntime.Gpu.Linux';
  return {
    platform: key, flavour, binDir, nugetPackage: id, nugetVersion: version,
    nupkgUrl: `https://api.nuget.org/v3-flatcontainer/${id.toLowerCase()}/${version}/${id.toLowerCase()}.${version}.nupkg`,
    files: Object.entries(manifest).map(([file, m]) => ({ from: m.path, to: path.join(binDir, path.normalize(file)) })),
  };
}

/** The steps to do by hand, one per line. */
export function manualSteps(plan: CudaInstallPlan): string[] {
  if (!plan.flavour) return [`onnxruntime-node ${ortVersion()} downloads no CUDA provider for ${plan.platform}; GPU generation is not available there through onnxruntime-node`];
  return [
    `1. on a machine with internet access, download ${plan.nupkgUrl}`,
    `2. it is a zip file; extract these entries:`,
    ...plan.files.map((f) => `     ${f.from}  →  ${f.to}`),
    `   (e.g. unzip -j ${path.basename(plan.nupkgUrl!)} ${plan.files.map((f) => f.from).join(' ')} -d ${plan.binDir})`,
    `3. install the CUDA 12 and cuDNN 9 runtime libraries (libcudart.so.12, libcublasLt.so.12, libcudnn.so.9) so the loader finds them`,
    `4. run \`framepack doctor\` (or \`framepack setup gpu\` again) to check that the cuda provider is usable`,
  ];
}

export interface ScriptRun { exitCode: number; stdout: string; stderr: string; error: string | null }

/** Runs onnxruntime-node's install script for the CUDA provider with this Node. */
export function runOrtInstallScript(opts: { env?: NodeJS.ProcessEnv; flag?: string; timeoutMs?: number } = {}): Promise<ScriptRun> {
  const script = path.join(ortPackageDir(), 'script', 'install.js');
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), ONNXRUNTIME_NODE_INSTALL: opts.flag ?? '1' };
  delete env.npm_config_local_prefix;
  delete env.npm_package_json;
  delete env.npm_config_onnxruntime_node_install;
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { cwd: ortPackageDir(), env, timeout: opts.timeoutMs ?? 30 * 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      // The script fails by an unhandled rejection: Node prints the stack; keep its "Error: …" line.
      const errLine = /^\w*Error: (.+)$/m.exec(String(stderr))?.[1] ?? (err ? errorLine(err) : null);
      resolve({ exitCode: code, stdout: String(stdout), stderr: String(stderr), error: code === 0 ? null : errLine });
    });
  });
}

export interface SetupGpuResult {
  status: 'installed' | 'already-usable' | 'failed' | 'unsupported';
  plan: CudaInstallPlan;
  script: ScriptRun | null;
  /** Providers after the attempt. */
  providers: ProviderProbe[];
  /** What to tell the user, one line each. */
  lines: string[];
}

export async function setupGpu(opts: { env?: NodeJS.ProcessEnv; probe?: ProbeDeps; runScript?: typeof runOrtInstallScript; platform?: string; arch?: string } = {}): Promise<SetupGpuResult> {
  const plan = cudaInstallPlan(opts.platform, opts.arch);
  const cudaOf = (ps: ProviderProbe[]) => ps.find((p) => p.provider === 'cuda');
  const before = await probeProviders(opts.probe);
  if (cudaOf(before)?.usable) return { status: 'already-usable', plan, script: null, providers: before, lines: ['the cuda execution provider is already installed and usable; nothing to do'] };
  if (!plan.flavour) return { status: 'unsupported', plan, script: null, providers: before, lines: manualSteps(plan) };
  const script = await (opts.runScript ?? runOrtInstallScript)(opts.env ? { env: opts.env } : {});
  const after = await probeProviders(opts.probe);
  const cuda = cudaOf(after);
  if (script.exitCode !== 0) {
    return {
      status: 'failed', plan, script, providers: after,
      lines: [
        `onnxruntime-node's install script (node_modules/onnxruntime-node/script/install.js, ONNXRUNTIME_NODE_INSTALL=1) failed: ${script.error ?? `exit code ${script.exitCode}`}`,
        `it downloads ${plan.nugetPackage} ${plan.nugetVersion} from NuGet (api.nuget.org); behind a proxy set GLOBAL_AGENT_HTTPS_PROXY, or do it by hand:`,
        ...manualSteps(plan),
      ],
    };
  }
  if (cuda && cuda.missingLibraries.length) {
    return {
      status: 'failed', plan, script, providers: after,
      lines: [`onnxruntime-node's install script exited without installing ${cuda.missingLibraries.join(', ')}; do it by hand:`, ...manualSteps(plan)],
    };
  }
  if (!cuda?.usable) {
    return {
      status: 'failed', plan, script, providers: after,
      lines: [
        `the CUDA provider files were installed into ${plan.binDir}, but a cuda session still fails: ${cuda?.error ?? 'unknown error'}`,
        'install the CUDA 12 and cuDNN 9 runtime libraries (libcudart.so.12, libcublasLt.so.12, libcudnn.so.9) and an NVIDIA driver for CUDA 12, then run `framepack doctor`',
      ],
    };
  }
  return { status: 'installed', plan, script, providers: after, lines: [`installed the cuda execution provider into ${plan.binDir}; a cuda session ran (${cuda.probeMs} ms)`] };
}

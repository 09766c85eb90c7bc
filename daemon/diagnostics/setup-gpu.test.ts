// `setup gpu`'s offline path, for real: onnxruntime-node's own install script runs with
// ONNXRUNTIME_NODE_INSTALL=1 (under vitest's npm environment, which would make it exit early) and a proxy on a closed loopback port (global-agent, which the
// script bootstraps, honours GLOBAL_AGENT_HTTPS_PROXY), so it fails fast here and on any CI, online
// or not, and nothing is ever written into node_modules. The result names the failure and the
// files to place by hand. The success branches are driven with an injected script and probe.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { cudaInstallPlan, manualSteps, runOrtInstallScript, setupGpu } from './setup-gpu.js';
import type { ProbeDeps } from './ort-checks.js';

const offlineEnv = { ...process.env, GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9' };

describe('framepack setup gpu', () => {
  it('reads what to install from onnxruntime-node’s own metadata (linux/x64: cuda12 from NuGet)', () => {
    const plan = cudaInstallPlan('linux', 'x64');
    expect(plan.flavour).toBe('cuda12');
    expect(plan.nugetPackage).toBe('Microsoft.ML.OnnxRuntime.Gpu.Linux');
    expect(plan.nupkgUrl).toBe(`https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/${plan.nugetVersion}/microsoft.ml.onnxruntime.gpu.linux.${plan.nugetVersion}.nupkg`);
    expect(plan.files.map((f) => f.from)).toEqual(expect.arrayContaining(['runtimes/linux-x64/native/libonnxruntime_providers_cuda.so', 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so']));
    expect(plan.files.every((f) => f.to.startsWith(plan.binDir))).toBe(true);
    expect(cudaInstallPlan('darwin', 'arm64').flavour).toBeNull();
    expect(manualSteps(cudaInstallPlan('darwin', 'arm64'))[0]).toMatch(/downloads no CUDA provider for darwin\/arm64/);
  });

  it('runs the script with the flag it honours: an unknown named flavour is silently ignored by 1.30', async () => {
    // With npm's variables removed the ignored flag falls through to the default install, which fails offline.
    const r = await runOrtInstallScript({ env: offlineEnv, flag: 'cuda12' });
    expect(r.exitCode).not.toBe(0);
    expect(r.error).toMatch(/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|connect/);
  });

  it('offline: the real install script fails, and the result says what failed and where to put the files', async () => {
    const plan = cudaInstallPlan();
    if (!plan.flavour) return; // only linux/x64 has a CUDA download to fail
    const r = await setupGpu({ env: offlineEnv });
    expect(r.status).toBe('failed');
    expect(r.script?.exitCode).not.toBe(0);
    expect(r.script?.error).toMatch(/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|connect/);
    expect(r.lines[0]).toMatch(/install\.js, ONNXRUNTIME_NODE_INSTALL=1\) failed: /);
    expect(r.lines.join('\n')).toContain(plan.nupkgUrl!);
    expect(r.lines.join('\n')).toContain(`runtimes/linux-x64/native/libonnxruntime_providers_cuda.so  →  ${plan.binDir}/libonnxruntime_providers_cuda.so`);
    expect(r.providers.find((p) => p.provider === 'cuda')?.usable).toBe(false);
    expect(existsSync(`${plan.binDir}/libonnxruntime_providers_cuda.so`)).toBe(false);
  });

  it('a script that exits 0 without installing is reported as a failure with the manual steps', async () => {
    // What onnxruntime-node 1.30 does with ONNXRUNTIME_NODE_INSTALL=cuda12 under npm (see setup-gpu.ts).
    const silent = { exitCode: 0, stdout: '', stderr: '', error: null };
    const r = await setupGpu({ runScript: async () => silent, probe: { fileExists: () => false }, platform: 'linux', arch: 'x64' });
    expect(r.status).toBe('failed');
    expect(r.lines[0]).toMatch(/exited without installing libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so/);
  });

  it('installed, files present but unusable, and already usable', async () => {
    const ok = async () => ({ exitCode: 0, stdout: '', stderr: '', error: null });
    let usable = false;
    const probe: ProbeDeps = { fileExists: () => true, tryProvider: async (p) => ({ usable: p === 'cpu' || usable, error: p === 'cpu' || usable ? null : 'libcudnn.so.9: cannot open shared object file', ms: 2 }) };
    const failed = await setupGpu({ runScript: ok, probe, platform: 'linux', arch: 'x64' });
    expect(failed.status).toBe('failed');
    expect(failed.lines[0]).toMatch(/still fails: libcudnn\.so\.9/);
    let calls = 0;
    const installing = await setupGpu({ runScript: async () => { usable = true; calls++; return { exitCode: 0, stdout: '', stderr: '', error: null }; }, probe, platform: 'linux', arch: 'x64' });
    expect(installing.status).toBe('installed');
    const again = await setupGpu({ runScript: async () => { calls++; return { exitCode: 0, stdout: '', stderr: '', error: null }; }, probe, platform: 'linux', arch: 'x64' });
    expect(again.status).toBe('already-usable');
    expect(calls).toBe(1);
  });
});

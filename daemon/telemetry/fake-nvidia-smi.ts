// Writes fake `nvidia-smi` executables for tests (one GPU, two GPUs, an old driver without
// compute_cap, garbage output), so the client and the doctor are tested without a GPU. The scripts
// answer the three invocations the client makes: --query-gpu, --query-compute-apps and the banner.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type FakeGpuSetup = 'one-gpu' | 'two-gpus' | 'old-driver' | 'garbage' | 'turing';

const BANNER = (cuda: string, driver: string) => `+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI ${driver}              Driver Version: ${driver}      CUDA Version: ${cuda}     |
+-----------------------------------------------------------------------------------------+`;

interface Spec { gpus: string; gpusOld?: string; apps: string; banner: string; oldDriver?: boolean; garbage?: boolean }

function spec(setup: FakeGpuSetup, pid: number): Spec {
  switch (setup) {
    case 'one-gpu':
      return {
        gpus: '0, GPU-1111aaaa, NVIDIA GeForce RTX 4090, 550.54.14, 24564, 1200, 23012, 8.9',
        apps: `${pid}, GPU-1111aaaa, 812\n99999, GPU-1111aaaa, 300`,
        banner: BANNER('12.4', '550.54.14'),
      };
    case 'two-gpus':
      return {
        gpus: '0, GPU-aaaa0000, NVIDIA H100 80GB HBM3, 560.35.03, 81559, 500, 80525, 9.0\n1, GPU-bbbb1111, NVIDIA H100 80GB HBM3, 560.35.03, 81559, 70000, 11025, 9.0',
        apps: `${pid}, GPU-aaaa0000, 1024\n${pid}, GPU-bbbb1111, [N/A]\n4242, GPU-bbbb1111, 69000`,
        banner: BANNER('12.6', '560.35.03'),
      };
    case 'turing':
      return {
        gpus: '0, GPU-2222cccc, Tesla T4, 535.104.05, 15360, 0, 14930, 7.5',
        apps: 'No running processes found',
        banner: BANNER('12.2', '535.104.05'),
      };
    case 'old-driver':
      return {
        gpus: '',
        gpusOld: '0, GPU-3333dddd, GeForce GTX 1080, 470.82.01, 8119, 300, 7819',
        apps: '',
        banner: BANNER('11.4', '470.82.01'),
        oldDriver: true,
      };
    case 'garbage':
      return { gpus: 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver garbage;;', apps: 'zzz', banner: 'garbage', garbage: true };
  }
}

let writeCount = 0;

/** Creates `<dir>/nvidia-smi` for `setup`; put `dir` first on PATH. `pid` is reported as a GPU user. */
export async function writeFakeNvidiaSmi(dir: string, setup: FakeGpuSetup, pid: number = process.pid): Promise<string> {
  await mkdir(dir, { recursive: true });
  const s = spec(setup, pid);
  const q = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
  const script = `#!/bin/sh
case "$1" in
  --query-gpu=*compute_cap*)
    ${s.oldDriver ? `echo 'Field "compute_cap" is not a valid field to query.' >&2; exit 2` : `printf '%s\\n' ${q(s.gpus)}`} ;;
  --query-gpu=*)
    printf '%s\\n' ${q(s.gpusOld ?? s.gpus)} ;;
  --query-compute-apps=*)
    printf '%s\\n' ${q(s.apps)} ;;
  *)
    printf '%s\\n' ${q(s.banner)} ;;
esac
`;
  const file = path.join(dir, 'nvidia-smi');
  // Written beside and renamed over: a test may rewrite the script while a daemon is executing the
  // old one, and opening a running executable for writing fails with ETXTBSY (seen in CI). The
  // rename swaps the directory entry; the running process keeps its old file.
  const tmp = `${file}.${process.pid}.${++writeCount}.tmp`;
  await writeFile(tmp, script);
  await chmod(tmp, 0o755);
  await rename(tmp, file);
  return file;
}

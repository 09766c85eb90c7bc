// `framepack models ls|verify|rm|import|pull|calibrate` (docs/models.md). Listings and results go to stdout
// (or one JSON document with --json); progress goes to stderr. Exit codes: 0 ok, 1 a bundle failed
// verification or an import/pull failed, 2 bad flags or an unknown bundle.
import { readFile } from 'node:fs/promises';
import { ImportError, importOfficial, type ImportDtype, type ImportProgress } from '../models/manage/import.js';
import { LayoutError } from '../models/manage/official-layout.js';
import { describeQuantization } from '../models/bundle/quantization.js';
import { findInstalled, listInstalled, removeInstalled, RemoveRefusedError, verifyInstalled } from '../models/manage/models-dir.js';
import { PULL_CATALOG, PullError, pullModel } from '../models/manage/pull.js';
import { didYouMean, parseFlags, wantsHelp } from './args.js';
import { runCalibrate } from './calibrate-command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';

export const MODELS_HELP = `Usage: framepack models <ls|verify|rm|import|pull|calibrate> [flags]

  ls [--json]                          installed bundles (FRAMEPACK_MODELS_DIR, then models/), with sizes
  verify [NAME...] [--full] [--json]   check every file of the named (default: all) bundles
  rm NAME                              remove an installed bundle (not the default framepack-tiny)
  import --from DIR [--dtype fp32|fp16|int8|int4] [--block-size N] [--compute fp32|fp16]
         [--name NAME] [--force]       convert the official FramePack weights under DIR into a bundle;
                                       int8/int4 store the transformer's and Llama's block Linear
                                       layers as MatMulNBits weights (block N, default 32), computing
                                       in --compute (fp32 default: CPU; fp16 for GPUs)
  pull NAME [--endpoint URL] [--revision REV] [--dtype fp32|fp16|int8|int4] [--name NAME]
       [--hashes FILE] [--keep-download] download NAME (${Object.keys(PULL_CATALOG).join(', ')}) from a
                                       Hugging Face-compatible endpoint, resumably, then import it
  calibrate [NAME] [--steps N] [--seconds S] [--image FILE] [--json]
                                       measure MagCache's per-step magnitude ratios of a bundle
                                       (default: the default model) with one uncached generation
                                       and store them as magcache.json in its folder (--cache mag)`;

export interface ModelsIo { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }

const mb = (b: number | null) => (b === null ? '?' : b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(argv: string[], options: OptionSpec, sub: string): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const r = parseFlags(`models ${sub}`, argv, options, true);
  return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
}

function dtypeOf(v: unknown): ImportDtype {
  if (v === undefined) return 'fp32';
  if (v === 'fp32' || v === 'fp16' || v === 'bf16' || v === 'int8' || v === 'int4') return v;
  throw new UsageError(`--dtype must be fp32, fp16, int8 or int4 (got ${JSON.stringify(v)})`);
}

function blockSizeOf(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < 16 || (n & (n - 1)) !== 0) throw new UsageError(`--block-size must be a power of two ≥ 16 (got ${JSON.stringify(v)})`);
  return n;
}

function computeOf(v: unknown): 'fp32' | 'fp16' | undefined {
  if (v === undefined || v === 'fp32' || v === 'fp16') return v;
  throw new UsageError(`--compute must be fp32 or fp16 (got ${JSON.stringify(v)})`);
}

/** "inverted, float32, int4 weights (block 32)": what ls and import print about a bundle. */
function describeBundle(m: { variant: string; components: { transformer: { weightDtype: string; quantization?: Parameters<typeof describeQuantization>[0] } } }): string {
  const q = describeQuantization(m.components.transformer.quantization);
  return `${m.variant}, ${m.components.transformer.weightDtype}${q ? `, ${q}` : ''}`;
}

/** Progress lines per component on stderr ("[3/7] vae: write vae/vae_decoder.onnx"). */
const importProgress = (io: ModelsIo) => (p: ImportProgress) => {
  if (p.phase !== 'graphs') io.stderr.write(`[${p.done}/${p.total}] ${p.component}: ${p.phase}${p.detail ? ` ${p.detail}` : ''}\n`);
};

export async function runModelsCommand(argv: string[], io: ModelsIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [sub, ...rest] = argv;
  const out = (s: string) => io.stdout.write(s);
  // Help before acting: `models rm NAME --help` must not remove anything.
  if (sub !== undefined && wantsHelp(rest)) { out(`${MODELS_HELP}\n`); return EXIT_OK; }
  switch (sub) {
    case undefined: case '-h': case '--help': case 'help':
      out(`${MODELS_HELP}\n`);
      return sub === undefined ? 2 : EXIT_OK;

    case 'ls': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'ls');
      const all = await listInstalled();
      if (values.json) {
        out(`${JSON.stringify(all.map(({ manifest, ...b }) => ({
          ...b, variant: manifest?.variant ?? null, weightDtype: manifest?.components.transformer.weightDtype ?? null,
          quantization: manifest?.components.transformer.quantization ?? null,
        })), null, 2)}\n`);
        return EXIT_OK;
      }
      for (const b of all) {
        const flags = [b.isDefault ? 'default' : '', b.shadowed ? 'shadowed' : '', b.error ? 'INVALID' : ''].filter(Boolean).join(', ');
        const what = b.manifest ? describeBundle(b.manifest) : b.error;
        out(`${b.name.padEnd(24)} ${mb(b.diskBytes).padStart(10)}  ${what}  ${b.dir}${flags ? `  (${flags})` : ''}\n`);
      }
      if (all.length === 0) out('no bundles installed\n');
      return EXIT_OK;
    }

    case 'verify': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, full: { type: 'boolean' } }, 'verify');
      const targets = positionals.length ? await Promise.all(positionals.map(async (n) => {
        const b = await findInstalled(n);
        if (!b) throw new UsageError(`models verify: '${n}' is not an installed bundle (see \`framepack models ls\`)`);
        return b;
      })) : (await listInstalled()).filter((b) => !b.shadowed);
      const results = [];
      for (const b of targets) {
        const r = await verifyInstalled(b.dir, values.full ? 'full' : 'cached', values.json ? undefined : (file, bytes) => io.stderr.write(`hashing ${b.name}/${file} (${mb(bytes)})\n`));
        results.push(r.ok
          ? { name: b.name, dir: b.dir, ok: true as const, seconds: r.seconds, verification: r.bundle.verification }
          : { name: b.name, dir: b.dir, ok: false as const, seconds: r.seconds, code: r.code, file: r.file, message: r.message });
      }
      if (values.json) out(`${JSON.stringify(results, null, 2)}\n`);
      else for (const r of results) out(r.ok ? `ok    ${r.name}: ${r.verification.filesChecked} files (${r.verification.filesHashed} hashed, ${r.verification.filesFromCache} from cache)\n` : `FAIL  ${r.name}: ${r.code}: ${r.message}\n`);
      return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILURE;
    }

    case 'rm': {
      const { positionals } = parse(rest, {}, 'rm');
      if (positionals.length !== 1) throw new UsageError('models rm: give exactly one bundle name');
      try {
        const b = await removeInstalled(positionals[0]!);
        out(`removed ${b.name} (${mb(b.diskBytes)}) from ${b.dir}\n`);
        return EXIT_OK;
      } catch (err: unknown) {
        if (err instanceof RemoveRefusedError) throw new UsageError(`models rm: ${err.message}`);
        throw err;
      }
    }

    case 'import': {
      const { values, positionals } = parse(rest, {
        from: { type: 'string' }, dtype: { type: 'string' }, 'block-size': { type: 'string' }, compute: { type: 'string' },
        name: { type: 'string' }, force: { type: 'boolean' },
      }, 'import');
      if (values.help) { out(`${MODELS_HELP}\n`); return EXIT_OK; }
      if (positionals.length) throw new UsageError(`models import: unexpected argument '${positionals[0]}'`);
      if (typeof values.from !== 'string') throw new UsageError('models import: --from DIR is required');
      try {
        const r = await importOfficial({
          from: values.from, dtype: dtypeOf(values.dtype), force: values.force === true,
          ...(values['block-size'] !== undefined ? { blockSize: blockSizeOf(values['block-size']) } : {}),
          ...(values.compute !== undefined ? { compute: computeOf(values.compute) } : {}),
          ...(typeof values.name === 'string' ? { name: values.name } : {}), onProgress: importProgress(io),
        });
        out(`imported ${r.manifest.name} (${describeBundle(r.manifest)}) into ${r.dir}\n`);
        return EXIT_OK;
      } catch (err: unknown) {
        if (err instanceof LayoutError) throw new UsageError(`models import: --from ${err.message}`);
        if (err instanceof ImportError && /^--(dtype|block-size|compute)/.test(err.message)) throw new UsageError(`models import: ${err.message}`);
        if (err instanceof ImportError) { io.stderr.write(`framepack: models import: ${err.message}\n`); return EXIT_FAILURE; }
        throw err;
      }
    }

    case 'pull': {
      const { values, positionals } = parse(rest, {
        endpoint: { type: 'string' }, revision: { type: 'string' }, dtype: { type: 'string' }, name: { type: 'string' },
        hashes: { type: 'string' }, 'keep-download': { type: 'boolean' },
      }, 'pull');
      if (positionals.length !== 1) throw new UsageError(`models pull: give one model name (${Object.keys(PULL_CATALOG).join(', ')})`);
      let hashes: Record<string, string> | undefined;
      if (typeof values.hashes === 'string') {
        try { hashes = JSON.parse(await readFile(values.hashes, 'utf8')) as Record<string, string>; } catch (err: unknown) {
          throw new UsageError(`--hashes ${values.hashes}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
      let lastLine = 0;
      try {
        const r = await pullModel({
          name: positionals[0]!, dtype: dtypeOf(values.dtype), keepDownload: values['keep-download'] === true,
          ...(typeof values.endpoint === 'string' ? { endpoint: values.endpoint } : {}),
          ...(typeof values.revision === 'string' ? { revision: values.revision } : {}),
          ...(typeof values.name === 'string' ? { bundleName: values.name } : {}),
          ...(hashes ? { hashes } : {}),
          onDownload: (p) => {
            const now = Date.now();
            if (now - lastLine < 1000) return; // one progress line a second
            lastLine = now;
            io.stderr.write(`${p.repo}/${p.path}: ${mb(p.receivedBytes)}${p.totalBytes ? ` of ${mb(p.totalBytes)}` : ''}${p.resumedFrom ? ` (resumed at ${mb(p.resumedFrom)})` : ''}\n`);
          },
          onFileDone: (f) => io.stderr.write(`${f.skipped ? 'have' : 'got '} ${f.repo}/${f.path} (${mb(f.bytes)}, ${f.verified === 'sha256' ? 'sha256 ok' : 'size ok'})\n`),
          onImport: importProgress(io),
        });
        out(`pulled and imported ${r.import.manifest.name} into ${r.import.dir}\n`);
        return EXIT_OK;
      } catch (err: unknown) {
        if (err instanceof PullError && /unknown model/.test(err.message)) throw new UsageError(`models pull: ${err.message}`);
        if (err instanceof ImportError && /--dtype/.test(err.message)) throw new UsageError(err.message);
        io.stderr.write(`framepack: models pull: ${(err as Error).message.split('\n').slice(0, 14).join('\n')}\n`);
        return EXIT_FAILURE;
      }
    }

    case 'calibrate': return runCalibrate(rest, io);

    default:
      throw new UsageError(`models: unknown subcommand '${sub}'${didYouMean(sub, ['ls', 'verify', 'rm', 'import', 'pull', 'calibrate'])} (ls, verify, rm, import, pull, calibrate)`);
  }
}

// Opens a loaded bundle's ONNX Runtime sessions and tokenizers: the five transformer graphs, the
// VAE encoder/decoder, both text encoders and the image encoder. CPU by default; a GPU execution
// provider that is asked for but missing from this onnxruntime build falls back to the CPU with
// one warning line instead of an ORT stack trace.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort, { listSupportedBackends } from 'onnxruntime-node';
import { createCpuSession } from '../../onnx/run.js';
import type { LoadedBundle } from '../../models/bundle/load-bundle.js';
import { createTransformerSessions, type TransformerSessions } from '../../models/transformer/run-transformer.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../../models/transformer/graphs.js';
import { transformerConfigSchema, type TransformerConfig } from '../../models/transformer/config.js';
import { loadTokenizer, type Tokenizer } from '../../models/tokenizer/tokenizer.js';

export type ExecutionProviderName = 'cpu' | 'cuda';

export interface PipelineSessions {
  transformer: TransformerSessions;
  transformerConfig: TransformerConfig;
  vaeEncoder: ort.InferenceSession;
  vaeDecoder: ort.InferenceSession;
  textEncoder: ort.InferenceSession;
  textEncoder2: ort.InferenceSession;
  imageEncoder: ort.InferenceSession;
  tokenizer: Tokenizer;
  tokenizer2: Tokenizer;
  /** The provider actually used. */
  executionProvider: ExecutionProviderName;
  release(): Promise<void>;
}

export interface OpenSessionsOptions {
  executionProvider?: ExecutionProviderName;
  threads?: number;
  /** Called with one line when the requested provider is unavailable and the CPU is used. */
  onWarning?: (message: string) => void;
}

function graphPath(bundle: LoadedBundle, component: keyof LoadedBundle['components'], stem: string): string {
  const p = bundle.components[component].graphs[stem];
  if (!p) throw new Error(`bundle ${bundle.manifest.name}: component ${component} has no graph '${stem}'`);
  return p;
}

function tokenizerPath(bundle: LoadedBundle, component: 'tokenizer' | 'tokenizer_2'): string {
  const files = bundle.components[component].files;
  const p = Object.entries(files).find(([rel]) => rel.endsWith('tokenizer.json'))?.[1];
  if (!p) throw new Error(`bundle ${bundle.manifest.name}: ${component} has no tokenizer.json`);
  return p;
}

/**
 * Whether this onnxruntime-node build can run `provider`. Providers that are not bundled (CUDA,
 * TensorRT) need their shared library beside the binding; without it ORT would print a loader
 * error, so that case is decided from the file before any session is tried.
 */
export async function providerAvailable(provider: ExecutionProviderName, probeModel: string): Promise<boolean> {
  if (provider === 'cpu') return true;
  const entry = listSupportedBackends().find((b) => b.name === provider);
  if (!entry) return false;
  if (!entry.bundled) {
    const pkgRoot = path.resolve(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..');
    const lib = path.join(pkgRoot, 'bin', 'napi-v6', process.platform, process.arch, `libonnxruntime_providers_${provider}.so`);
    if (!existsSync(lib)) return false;
  }
  try {
    const s = await createCpuSession(probeModel, { executionProviders: [provider] });
    await s.release();
    return true;
  } catch {
    return false;
  }
}

export async function openSessions(bundle: LoadedBundle, opts: OpenSessionsOptions = {}): Promise<PipelineSessions> {
  let provider: ExecutionProviderName = opts.executionProvider ?? 'cpu';
  const probe = graphPath(bundle, 'transformer', 'transformer_post');
  if (provider !== 'cpu' && !(await providerAvailable(provider, probe))) {
    opts.onWarning?.(`execution provider '${provider}' is not available in this onnxruntime build; running on the CPU`);
    provider = 'cpu';
  }
  const sessionOpts = { executionProviders: [provider], ...(opts.threads !== undefined ? { threads: opts.threads } : {}) };
  const open = (p: string) => createCpuSession(p, sessionOpts);
  const transformerFiles = Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, graphPath(bundle, 'transformer', g)])) as Record<TransformerGraphName, string>;
  const [transformer, vaeEncoder, vaeDecoder, textEncoder, textEncoder2, imageEncoder, tokenizer, tokenizer2] = await Promise.all([
    // No CPU arena for the transformer: its explicit attention allocates [heads, N, N] buffers
    // (2.5 GB each for the tiny model at 768×512, 17,729 tokens) that an arena keeps after the run
    // and lets grow from step to step (measured 6,196 MiB after step 1, past 8 GiB in step 3), so the
    // VAE decode and the next steps would run on top of them.
    createTransformerSessions(transformerFiles, { ...sessionOpts, cpuMemArena: false }),
    // The VAE too: the start-frame encode runs once per job and its arena would keep its peak
    // (≈ 0.9 GiB at 768×512) through sampling; the decode's tiles are large and transient.
    createCpuSession(graphPath(bundle, 'vae', 'vae_encoder'), { ...sessionOpts, cpuMemArena: false }),
    createCpuSession(graphPath(bundle, 'vae', 'vae_decoder'), { ...sessionOpts, cpuMemArena: false }),
    open(graphPath(bundle, 'text_encoder', 'text_encoder')),
    open(graphPath(bundle, 'text_encoder_2', 'text_encoder_2')),
    open(graphPath(bundle, 'image_encoder', 'image_encoder')),
    loadTokenizer(tokenizerPath(bundle, 'tokenizer')),
    loadTokenizer(tokenizerPath(bundle, 'tokenizer_2')),
  ]);
  const transformerConfig = transformerConfigSchema.parse(bundle.manifest.components.transformer.config);
  const all = [...Object.values(transformer), vaeEncoder, vaeDecoder, textEncoder, textEncoder2, imageEncoder];
  return {
    transformer, transformerConfig, vaeEncoder, vaeDecoder, textEncoder, textEncoder2, imageEncoder, tokenizer, tokenizer2,
    executionProvider: provider,
    release: async () => { await Promise.all(all.map((s) => s.release())); },
  };
}

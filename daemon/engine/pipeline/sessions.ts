// Opens a loaded bundle's ONNX Runtime sessions and tokenizers: the five transformer graphs, the
// VAE encoder/decoder, both text encoders and the image encoder, on the provider asked for: 'cpu'
// (default), 'cuda', 'webgpu', or 'auto' (CUDA, else WebGPU, else the CPU; provider-selection.ts).
// A provider named explicitly that is not usable throws ProviderUnavailableError (the missing
// piece and the fix) instead of quietly running on the CPU. On WebGPU the per-step transformer
// graphs keep their activations on the GPU (step-chain.ts).
import type ort from 'onnxruntime-node';
import { createCpuSession, type SessionOptions } from '../../onnx/run.js';
import type { LoadedBundle } from '../../models/bundle/load-bundle.js';
import type { TransformerSessions } from '../../models/transformer/run-transformer.js';
import { streamedBlocks, type BlocksRunner } from '../../models/transformer/streamed-blocks.js';
import { inputStreamedBlocks } from '../../models/transformer/input-streamed-blocks.js';
import { DEFAULT_STREAM_MODE, type StreamMode } from '../../models/transformer/stream-mode.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../../models/transformer/graphs.js';
import { transformerConfigSchema, type TransformerConfig } from '../../models/transformer/config.js';
import { loadTokenizer, type Tokenizer } from '../../models/tokenizer/tokenizer.js';
import { probeProviders, type ProbeDeps } from '../../diagnostics/ort-checks.js';
import { providersToProbe, resolveForJob, type ProviderRequest, type RunProvider } from '../../diagnostics/provider-selection.js';
import { stepChainLocations, type ChainLocations } from './step-chain.js';

export type ExecutionProviderName = RunProvider;

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
  /** Where the per-step graphs' outputs go (empty: all on the CPU). */
  chainLocations: ChainLocations;
  release(): Promise<void>;
}

export interface OpenSessionsOptions {
  executionProvider?: ProviderRequest;
  threads?: number;
  /** Called with one line saying which provider runs and why (for 'auto' and GPU providers). */
  onWarning?: (message: string) => void;
  /** Whether the job uses TeaCache (on WebGPU it decides which activations must come back to the CPU); default true. */
  teacache?: boolean;
  /** Probe deps (tests inject the probe results). */
  probe?: ProbeDeps;
  /** Transformer graphs to open instead of the bundle's (a LoRA variant: engine/lora-sessions.ts). */
  transformerFiles?: Record<TransformerGraphName, string>;
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

/** The provider a request resolves to, probing only what it needs; a named provider that is not usable throws. */
export async function resolveProvider(request: ProviderRequest, probe: ProbeDeps = {}): Promise<{ provider: RunProvider; reason: string }> {
  if (request === 'cpu') return { provider: 'cpu', reason: 'asked for the CPU' };
  const probes = await probeProviders({ ...probe, only: providersToProbe(request) });
  const info = resolveForJob(probes, request);
  return { provider: info.name, reason: info.reason };
}

/**
 * The five transformer graphs, each with its outputs' locations from the step chain. With
 * `streamedGroups` (the bundle's block-group graph files, stream-blocks plan) the blocks stage runs
 * those groups one after another and transformer_blocks is not opened; the groups' outputs come
 * back to host memory (on WebGPU the chain's other stages keep theirs on the GPU). `streamMode`
 * picks per-group sessions per call ('sessions') or kept weight-free sessions fed the weights
 * ('inputs'): stream-mode.ts.
 */
export async function openTransformerSessions(files: Record<TransformerGraphName, string | Uint8Array>, sessionOpts: SessionOptions, chainLocations: ChainLocations, streamedGroups?: readonly string[], streamMode: StreamMode = DEFAULT_STREAM_MODE): Promise<TransformerSessions> {
  const graphs = streamedGroups ? TRANSFORMER_GRAPHS.filter((g) => g !== 'transformer_blocks') : TRANSFORMER_GRAPHS;
  const entries = await Promise.all(graphs.map(async (g) => {
    const locations = chainLocations[g];
    return [g, await createCpuSession(files[g], locations ? { ...sessionOpts, preferredOutputLocation: locations } : sessionOpts)] as const;
  }));
  const opened: Record<string, BlocksRunner> = Object.fromEntries(entries);
  if (streamedGroups) opened.transformer_blocks = streamMode === 'inputs' ? await inputStreamedBlocks(streamedGroups, sessionOpts) : streamedBlocks(streamedGroups, sessionOpts);
  return opened as TransformerSessions;
}

export async function openSessions(bundle: LoadedBundle, opts: OpenSessionsOptions = {}): Promise<PipelineSessions> {
  const request = opts.executionProvider ?? 'cpu';
  const { provider, reason } = await resolveProvider(request, opts.probe);
  if (request !== 'cpu') opts.onWarning?.(`running on ${provider}: ${reason}`);
  const sessionOpts: SessionOptions = { executionProviders: [provider], ...(opts.threads !== undefined ? { threads: opts.threads } : {}) };
  const open = (p: string) => createCpuSession(p, sessionOpts);
  const chainLocations = stepChainLocations(provider, { teacache: opts.teacache ?? true });
  const transformerFiles = opts.transformerFiles ?? Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, graphPath(bundle, 'transformer', g)])) as Record<TransformerGraphName, string>;
  const [transformer, vaeEncoder, vaeDecoder, textEncoder, textEncoder2, imageEncoder, tokenizer, tokenizer2] = await Promise.all([
    // No CPU arena for the transformer: its explicit attention allocates [heads, N, N] buffers
    // (2.5 GB each for the tiny model at 768×512, 17,729 tokens) that an arena keeps after the run
    // and lets grow from step to step (measured 6,196 MiB after step 1, past 8 GiB in step 3), so the
    // VAE decode and the next steps would run on top of them.
    openTransformerSessions(transformerFiles, { ...sessionOpts, cpuMemArena: false }, chainLocations),
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
    executionProvider: provider, chainLocations,
    release: async () => { await Promise.all(all.map((s) => s.release())); },
  };
}

// Residency shapes shared by models.* / ps results and model.* / telemetry events: which component
// of which model is loaded where, how many bytes it holds and until when (ollama's `ps`, PEERS.md
// §C4.6). Pure data; the daemon's scheduler owns the state.
import { z } from 'zod';

/** A model bundle name as listed by models.list (directory name under the model root). */
export const ModelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'model names are letters, digits, ".", "_" and "-"')
  .meta({ description: 'Model bundle name, e.g. "framepack-i2v-hy"' });
export type ModelName = z.infer<typeof ModelName>;

/** The separately loadable parts of a FramePack model. */
export const ComponentId = z
  .enum(['text-encoder', 'text-encoder-2', 'image-encoder', 'vae', 'transformer'])
  .meta({ description: 'text-encoder = LLaMA, text-encoder-2 = CLIP-L, image-encoder = SigLIP, vae, transformer' });
export type ComponentId = z.infer<typeof ComponentId>;

export const ResidencyState = z.enum(['unloaded', 'loading', 'loaded', 'unloading']);
export type ResidencyState = z.infer<typeof ResidencyState>;

/** Why a component left memory; every unload carries one so "why did it reload?" has an answer. */
export const UnloadReason = z.enum([
  'requested', // models.unload or queue.pause {unload}
  'keep-alive-expired', // idle longer than its keepAlive
  'keep-alive-zero', // keepAlive 0: unloaded when the last job using it finished
  'evicted-for-memory', // another component needed the memory
  'out-of-memory', // a load or run failed with OOM and the scheduler cleared memory to retry
  'shutdown', // the daemon is exiting
  'failed', // the load itself failed
  'memory-plan', // the job's memory plan released it mid-job (encoders after conditioning)
]);
export type UnloadReason = z.infer<typeof UnloadReason>;

const Bytes = z.number().int().nonnegative();
const IsoTime = z.iso.datetime({ offset: true });

/** One component's residency, as `framepack ps` prints it. */
export const ComponentStatus = z.object({
  model: ModelName,
  component: ComponentId,
  state: ResidencyState,
  /** Execution device, e.g. "cuda:0" or "cpu"; null while unloaded. */
  device: z.string().max(64).nullable(),
  /** GPU memory held by this component, in bytes (0 on CPU or unloaded). */
  vramBytes: Bytes,
  /** Host memory held by this component, in bytes. */
  ramBytes: Bytes,
  /** Normalized keep-alive in ms (−1 = forever). */
  keepAliveMs: z.number().int().min(-1),
  /** When it will be unloaded if still idle; null = in use, forever or unloaded. */
  expiresAt: IsoTime.nullable(),
  /** Jobs currently holding it; it cannot be unloaded while > 0 unless forced. */
  leases: z.number().int().nonnegative(),
});
export type ComponentStatus = z.infer<typeof ComponentStatus>;

/** A model bundle known to the daemon and the residency of each of its components. */
export const ModelStatus = z.object({
  name: ModelName,
  /** All files of the bundle are present and verified. */
  available: z.boolean(),
  components: z.array(ComponentStatus),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

/** One GPU as reported by nvidia-smi (bytes). */
export const DeviceMemory = z.object({
  device: z.string().max(64),
  name: z.string().max(256).optional(),
  usedBytes: Bytes,
  totalBytes: Bytes,
  /** Free as the driver reports it (total − used − reserved); absent from older daemons. */
  freeBytes: Bytes.optional(),
  /** This daemon's own usage on the device, when the driver reports it. */
  processBytes: Bytes.nullable(),
});
export type DeviceMemory = z.infer<typeof DeviceMemory>;

/** A resident component's estimated bytes (from the bundle manifest), on its device. */
export const ComponentEstimate = z.object({
  model: ModelName,
  component: ComponentId,
  device: z.string().max(64),
  estimatedBytes: Bytes,
});
export type ComponentEstimate = z.infer<typeof ComponentEstimate>;

/** Memory telemetry: host RAM always, VRAM per device where a GPU is present. */
export const MemoryTelemetry = z.object({
  at: IsoTime,
  rssBytes: Bytes,
  ramUsedBytes: Bytes,
  ramTotalBytes: Bytes,
  vram: z.array(DeviceMemory),
  /** gpu: nvidia-smi answered; cpu: no nvidia-smi (CPU mode, RAM only); error: it failed or printed something unparseable. Absent from older daemons. */
  gpu: z.enum(['gpu', 'cpu', 'error']).optional(),
  /** Why the GPU reading failed (gpu = 'error'). */
  gpuError: z.string().max(1000).optional(),
  /** Resident components with the bundle manifest's estimated bytes, beside the measured totals above. */
  components: z.array(ComponentEstimate).optional(),
});
export type MemoryTelemetry = z.infer<typeof MemoryTelemetry>;

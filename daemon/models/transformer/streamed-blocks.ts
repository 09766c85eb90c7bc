// Transformer block streaming (issue 14 item 3, the stream-blocks memory plan): the blocks run as
// the bundle's K group graphs (block-groups.ts, transformer_blocks_g0 … g{K−1}), each group's
// session created from its file just before it runs and released right after, so at most two
// groups' weights are held at once — the one running and the next one, opened while the current
// one runs (the plan reserves both: memory-plan.ts). It stands where the whole transformer_blocks
// session stands (runBlocks, the WebGPU step chain): same feeds, same 'hidden_states_out'.
// Per-group sessions are created again on every call; that is the price of not holding them
// (docs/memory.md has the measured cost).
import type ort from 'onnxruntime-node';
import { createCpuSession, type SessionOptions } from '../../onnx/run.js';

/** The part of a session the blocks stage uses: the whole blocks graph, or the streamed groups. */
export interface BlocksRunner {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

/** A session the runner opens and releases (ORT's, or a fake in tests). */
export interface GroupSession {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

export interface StreamedBlocksStats {
  /** Group sessions created so far (K per call). */
  opened: number;
  /** Group sessions open now (0 between calls). */
  open: number;
  /** The most group sessions open at once. */
  maxOpen: number;
}

export interface StreamedBlocks extends BlocksRunner {
  readonly groups: number;
  readonly stats: StreamedBlocksStats;
}

/**
 * The blocks of `groupFiles` (in order) as one runner. `prefetch` (default true) opens group i+1
 * while group i runs; without it one group is held at a time.
 */
export function streamedBlocks(
  groupFiles: readonly (string | Uint8Array)[], opts: SessionOptions = {},
  deps: { open?: (file: string | Uint8Array, opts: SessionOptions) => Promise<GroupSession>; prefetch?: boolean } = {},
): StreamedBlocks {
  if (groupFiles.length < 1) throw new RangeError('streamed blocks need at least one group graph');
  const openSession = deps.open ?? createCpuSession;
  const prefetch = deps.prefetch ?? true;
  const stats: StreamedBlocksStats = { opened: 0, open: 0, maxOpen: 0 };
  const open = async (i: number): Promise<GroupSession> => {
    const s = await openSession(groupFiles[i]!, opts);
    stats.opened++;
    stats.open++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    return s;
  };
  const close = async (s: GroupSession): Promise<void> => {
    stats.open--;
    await s.release();
  };
  return {
    groups: groupFiles.length,
    stats,
    async run(feeds) {
      const { temb, rope_cos: ropeCos, rope_sin: ropeSin } = feeds;
      let hidden = feeds.hidden_states;
      let encoder = feeds.encoder_hidden_states;
      if (!hidden || !encoder || !temb || !ropeCos || !ropeSin) throw new Error('streamed blocks: feeds need hidden_states, encoder_hidden_states, temb, rope_cos and rope_sin');
      let next: Promise<GroupSession> | null = open(0);
      try {
        for (let i = 0; i < groupFiles.length; i++) {
          const session: GroupSession = await next!;
          next = null;
          try {
            if (prefetch && i + 1 < groupFiles.length) next = open(i + 1);
            const out = await session.run({ hidden_states: hidden, encoder_hidden_states: encoder, temb, rope_cos: ropeCos, rope_sin: ropeSin });
            hidden = out.hidden_states_out;
            encoder = out.encoder_hidden_states_out;
            if (!hidden || !encoder) throw new Error(`block group ${i} produced no hidden_states_out / encoder_hidden_states_out`);
          } finally {
            await close(session);
          }
          if (!prefetch && i + 1 < groupFiles.length) next = open(i + 1);
        }
      } catch (err: unknown) {
        // A group failed: the one being opened for the next step is released too.
        if (next) await next.then(close, () => {});
        throw err;
      }
      return { hidden_states_out: hidden };
    },
    // Nothing is held between calls.
    async release() {},
  };
}

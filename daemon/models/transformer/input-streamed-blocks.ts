// Transformer block streaming, the `inputs` form (FRAMEPACK_STREAM_MODE=inputs; stream-mode.ts):
// each of the bundle's K group graphs (block-groups.ts) is opened once with its weights turned into
// graph inputs (onnx/weights-as-inputs.ts), so the K sessions are small and kept, and the weights
// are held in host memory as ORT tensors, read once from the group files and fed with every run.
// On the CPU, host memory is the device's, so this holds every weight like the resident blocks
// graph (the point is what it avoids: creating K sessions per call); on a GPU the device holds one
// group's weights during its run, and each call copies all K groups' weight bytes host → device
// (docs/memory.md "Block streaming" has the measured CPU cost and the computed transfer).
// Same feeds and 'hidden_states_out' as the whole transformer_blocks session.
import type ort from 'onnxruntime-node';
import { createCpuSession, type SessionOptions } from '../../onnx/run.js';
import { weightsAsInputs } from '../../onnx/weights-as-inputs.js';
import type { BlocksRunner, GroupSession } from './streamed-blocks.js';

export interface InputStreamedBlocks extends BlocksRunner {
  readonly groups: number;
  /** Bytes of weights held in host memory (all K groups). */
  readonly weightBytes: number;
  /** Bytes of weights fed per call (= weightBytes: every group runs once). */
  readonly bytesFedPerCall: number;
}

/** Opens the K group files (in order) as weight-free sessions; the groups are read one at a time. */
export async function inputStreamedBlocks(
  groupFiles: readonly (string | Uint8Array)[], opts: SessionOptions = {},
  deps: { open?: (model: Uint8Array, opts: SessionOptions) => Promise<GroupSession> } = {},
): Promise<InputStreamedBlocks> {
  if (groupFiles.length < 1) throw new RangeError('streamed blocks need at least one group graph');
  const open = deps.open ?? createCpuSession;
  const groups: { session: GroupSession; weights: Record<string, ort.Tensor> }[] = [];
  let weightBytes = 0;
  try {
    for (const file of groupFiles) {
      const g = await weightsAsInputs(file);
      groups.push({ session: await open(g.model, opts), weights: g.weights });
      weightBytes += g.weightBytes;
    }
  } catch (err: unknown) {
    await Promise.all(groups.map((g) => g.session.release()));
    throw err;
  }
  return {
    groups: groups.length,
    weightBytes,
    bytesFedPerCall: weightBytes,
    async run(feeds) {
      const { temb, rope_cos: ropeCos, rope_sin: ropeSin } = feeds;
      let hidden = feeds.hidden_states;
      let encoder = feeds.encoder_hidden_states;
      if (!hidden || !encoder || !temb || !ropeCos || !ropeSin) throw new Error('streamed blocks: feeds need hidden_states, encoder_hidden_states, temb, rope_cos and rope_sin');
      for (let i = 0; i < groups.length; i++) {
        const { session, weights } = groups[i]!;
        const out = await session.run({ ...weights, hidden_states: hidden, encoder_hidden_states: encoder, temb, rope_cos: ropeCos, rope_sin: ropeSin });
        hidden = out.hidden_states_out;
        encoder = out.encoder_hidden_states_out;
        if (!hidden || !encoder) throw new Error(`block group ${i} produced no hidden_states_out / encoder_hidden_states_out`);
      }
      return { hidden_states_out: hidden };
    },
    async release() {
      const all = groups.splice(0);
      await Promise.all(all.map((g) => g.session.release()));
    },
  };
}

import { describe, expect, it } from 'vitest';
import type ort from 'onnxruntime-node';
import { serializeModel } from '../../onnx/model-writer.js';
import { createCpuSession, tensorF32 } from '../../onnx/run.js';
import { buildBlockGroupGraphs } from './block-groups.js';
import { buildBlocksGraph } from './graphs.js';
import { streamedBlocks, type GroupSession } from './streamed-blocks.js';
import { config, feeds, weights } from '../../../test/helpers/tiny-blocks.js';

const groupModels = (k: number) => Promise.all(buildBlockGroupGraphs(config, weights, { weightDtype: 'float32' }, k).map((g) => serializeModel(g)));

describe('streamed transformer blocks', () => {
  it("give the whole blocks graph's output bit for bit, holding at most two groups and none between calls", async () => {
    const whole = await createCpuSession(await serializeModel(buildBlocksGraph(config, weights, { weightDtype: 'float32' })));
    const expected = Array.from((await whole.run(feeds())).hidden_states_out!.data as Float32Array);
    await whole.release();
    for (const k of [3, 4]) {
      const s = streamedBlocks(await groupModels(k));
      const out = await s.run(feeds());
      expect(Array.from(out.hidden_states_out!.data as Float32Array), `K = ${k}`).toEqual(expected);
      expect(s.stats).toMatchObject({ opened: k, open: 0 });
      expect(s.stats.maxOpen).toBeLessThanOrEqual(2);
      await s.run(feeds());
      expect(s.stats.opened).toBe(2 * k);
    }
  });

  it('opens the next group while one runs (prefetch), or only after it is released', async () => {
    const trace = async (prefetch: boolean) => {
      const log: string[] = [];
      const open = async (file: string | Uint8Array): Promise<GroupSession> => {
        log.push(`open ${String(file)}`);
        return {
          run: async (f) => {
            await new Promise((r) => setTimeout(r, 5));
            log.push(`ran ${String(file)}`);
            return { hidden_states_out: f.hidden_states!, encoder_hidden_states_out: f.encoder_hidden_states! };
          },
          release: async () => { log.push(`release ${String(file)}`); },
        };
      };
      const s = streamedBlocks(['0', '1', '2'], {}, { open, prefetch });
      await s.run(feeds());
      return { log, stats: s.stats };
    };
    const pre = await trace(true);
    expect(pre.log).toEqual(['open 0', 'open 1', 'ran 0', 'release 0', 'open 2', 'ran 1', 'release 1', 'ran 2', 'release 2']);
    expect(pre.stats).toEqual({ opened: 3, open: 0, maxOpen: 2 });
    const one = await trace(false);
    expect(one.log).toEqual(['open 0', 'ran 0', 'release 0', 'open 1', 'ran 1', 'release 1', 'open 2', 'ran 2', 'release 2']);
    expect(one.stats).toEqual({ opened: 3, open: 0, maxOpen: 1 });
  });

  it('releases the running and the prefetched group when a group fails', async () => {
    const released: number[] = [];
    const open = async (file: string | Uint8Array): Promise<GroupSession> => {
      const i = Number(file);
      return {
        run: async (f) => {
          if (i === 1) throw new Error('group 1 failed');
          return { hidden_states_out: f.hidden_states!, encoder_hidden_states_out: f.encoder_hidden_states! };
        },
        release: async () => { released.push(i); },
      };
    };
    const s = streamedBlocks(['0', '1', '2', '3'], {}, { open });
    await expect(s.run(feeds())).rejects.toThrow(/group 1 failed/);
    expect(released.sort()).toEqual([0, 1, 2]);
    expect(s.stats.open).toBe(0);
  });

  it('refuses feeds without the blocks inputs', async () => {
    const s = streamedBlocks(['0'], {}, { open: async () => ({ run: async () => ({}), release: async () => {} }) });
    const { temb: _dropped, ...rest } = feeds();
    await expect(s.run(rest)).rejects.toThrow(/temb/);
  });
});

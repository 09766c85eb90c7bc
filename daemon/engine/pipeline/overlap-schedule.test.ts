import { describe, expect, it } from 'vitest';
import { SectionOverlap, shouldOverlap } from './overlap-schedule.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 5));

/** A fake loop: section k samples (events 'sample k'), then its finish runs ('finish k' … 'done k'). */
async function loop(overlap: boolean, sections: number, log: string[], failAt?: number): Promise<void> {
  const o = new SectionOverlap<string>(overlap, (e) => log.push(e));
  try {
    for (let k = 1; k <= sections; k++) {
      o.emit(`started ${k}`);
      await tick();
      o.emit(`sampled ${k}`);
      await o.enqueue(async () => {
        log.push(`finish ${k}`);
        await tick();
        await tick();
        if (k === failAt) throw new Error(`finish ${k} failed`);
        log.push(`done ${k}`);
      });
    }
    await o.drain();
  } catch (err: unknown) {
    await o.settleAfter(err);
  }
}

describe('section overlap', () => {
  it('serial and overlapped give the same event order', async () => {
    const serial: string[] = [];
    const overlapped: string[] = [];
    await loop(false, 3, serial);
    await loop(true, 3, overlapped);
    expect(serial).toEqual(['started 1', 'sampled 1', 'finish 1', 'done 1', 'started 2', 'sampled 2', 'finish 2', 'done 2', 'started 3', 'sampled 3', 'finish 3', 'done 3']);
    expect(overlapped).toEqual(serial);
  });

  it('overlapped: the next section samples while the previous one finishes', async () => {
    const o = new SectionOverlap<string>(true, () => {});
    let finishing = true;
    await o.enqueue(async () => { await tick(); finishing = false; });
    // enqueue returned before the finish did: the caller samples meanwhile.
    expect(finishing).toBe(true);
    await o.drain();
    expect(finishing).toBe(false);
  });

  it('a failed finish wins over the sampling error it causes, and nothing is left unhandled', async () => {
    const log: string[] = [];
    await expect(loop(true, 3, log, 2)).rejects.toThrow('finish 2 failed');
    expect(log).not.toContain('done 2');
    // The sampling side sees it at its next step.
    const o = new SectionOverlap<string>(true, () => {});
    await o.enqueue(async () => { throw new Error('decode failed'); });
    await tick();
    expect(() => o.throwIfFailed()).toThrow('decode failed');
  });

  it('auto: on for CUDA; on the CPU only with cores to spare; off on WebGPU', () => {
    expect(shouldOverlap('auto', 'cpu', 2, 2)).toBe(false);
    expect(shouldOverlap('auto', 'cpu', 16, 4)).toBe(true);
    expect(shouldOverlap('auto', 'cuda', 2, 2)).toBe(true);
    expect(shouldOverlap('auto', 'webgpu', 16, 4)).toBe(false);
    expect(shouldOverlap('on', 'cpu', 2, 2)).toBe(true);
    expect(shouldOverlap('off', 'webgpu')).toBe(false);
  });
});

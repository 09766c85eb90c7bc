// The defects the input sweep (docs/inputs.md) found, through the real CLI entry (main(), in
// process, isolated XDG dirs, the default bundle): each is refused in one line with exit 2 before
// any model loads, where before it hung, printed a bare errno after the job ran, or silently did
// something else than asked.
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliHarness, runInProcess } from '../helpers/cli-harness.js';

const h = await createCliHarness('fp-inputs-');
afterAll(() => rm(h.dir, { recursive: true, force: true }));
const job = ['--image', h.image, '--prompt', 'x', '--seconds', '1', '--steps', '1'];
const local = (...args: string[]) => runInProcess(h, ['generate', '--local', ...job, ...args]);

describe('--out with --local is checked before the job starts', () => {
  it('under /proc: refused at once (Node\'s recursive mkdir spun there forever)', { timeout: 20_000 }, async () => {
    for (const out of ['/proc/x.mp4', '/proc/fp-out-folder']) {
      const r = await local('-o', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^framepack: --out: .*under \/proc, a kernel pseudo-filesystem/);
    }
  });

  it('a file in the way of the folder: one line naming it, not ENOTDIR after the models loaded', async () => {
    const file = path.join(h.dir, 'a-file');
    writeFileSync(file, 'x');
    for (const out of [path.join(file, 'x.mp4'), path.join(file, 'sub', 'x.mp4'), file]) {
      const r = await local('-o', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^framepack: --out: .*a-file.*(not a folder|is a file)/);
      expect(r.stderr).not.toMatch(/ENOTDIR/);
    }
  });

  it('a name too long for the temp files: refused at once, not ENAMETOOLONG after sampling', async () => {
    const r = await local('-o', path.join(h.dir, `${'a'.repeat(230)}.mp4`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^framepack: --out: the file name is 234 bytes; at most 200/);
  });

  it('an existing file framepack did not write is kept unless --overwrite, as in daemon mode', async () => {
    const mine = path.join(h.dir, 'mine.mp4');
    writeFileSync(mine, 'my own video');
    const r = await local('-o', mine);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mine\.mp4 already exists and was not written by framepack; .*--overwrite/);
    expect(readFileSync(mine, 'utf8')).toBe('my own video');
  });
});

describe('--out naming another format is refused in both modes', () => {
  it('clip.avi / clip.gif / clip.png are not folders to create', async () => {
    for (const name of ['clip.avi', 'clip.GIF', 'clip.mkv', 'still.png']) {
      for (const mode of [['--local'], []]) {
        const r = await runInProcess(h, ['generate', ...mode, ...job, '-o', path.join(h.dir, name)]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^framepack: --out: .*framepack writes H\.264 MP4 only; name a \.mp4 file/);
      }
    }
  });
});

describe('start images the sweep found wanting', () => {
  it('an image over the pixel limit says what the user can do (no internal option name)', async () => {
    // A PNG header only: 9000×9000 (81 MP) is refused from the header, before any pixel is read.
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type), data]);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(data.length, 0);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body), 0);
      return Buffer.concat([head, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(9000, 0);
    ihdr.writeUInt32BE(9000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const file = path.join(h.dir, 'huge.png');
    writeFileSync(file, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(9001))), chunk('IEND', Buffer.alloc(0))]));
    const r = await runInProcess(h, ['plan', '--image', file, '--prompt', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`framepack: --image ${file}: image is 9000x9000 = 81000000 pixels, over the limit of 67108864 (decompression-bomb guard: downscale it first)\n`);
  });

  it('plan --seed -1 runs the official seed -1: torch\'s 4294967295', async () => {
    const r = await runInProcess(h, ['plan', '--image', h.image, '--prompt', 'x', '--seed', '-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/seed 4294967295\b/);
  });
});

describe('a prompt over the protocol\'s 20000 characters', () => {
  it('is one line naming --prompt in both modes (the daemon said "invalid params for \'jobs.submit\'", exit 1)', async () => {
    const file = path.join(h.dir, 'long-prompt.txt');
    writeFileSync(file, 'a red circle moves right. '.repeat(1000));
    for (const args of [['plan'], ['generate', '--local'], ['generate']]) {
      const r = await runInProcess(h, [...args, '--image', h.image, '--prompt-file', file, '--seconds', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('framepack: --prompt is 25999 characters; at most 20000 (the text encoders read only its first 256 Llama / 77 CLIP tokens)\n');
    }
  });
});

describe('localOutProblem', () => {
  it('--overwrite lets --local replace a file framepack did not write', async () => {
    const { localOutProblem } = await import('../../daemon/cli/out-flag.js');
    const mine = path.join(h.dir, 'mine-2.mp4');
    writeFileSync(mine, 'my own video');
    expect(await localOutProblem(mine, { overwrite: false })).toMatch(/already exists and was not written by framepack/);
    expect(await localOutProblem(mine, { overwrite: true })).toBeNull();
  });

  it('missing folders are still fine (--local creates them), for a .mp4 and for a folder', async () => {
    const { localOutProblem } = await import('../../daemon/cli/out-flag.js');
    expect(await localOutProblem(path.join(h.dir, 'new', 'deeper', 'x.mp4'), { overwrite: false })).toBeNull();
    expect(await localOutProblem(path.join(h.dir, 'new', 'folder'), { overwrite: false })).toBeNull();
    expect(await localOutProblem(undefined, { overwrite: false })).toBeNull();
  });
});

// jobs.plan and jobs.submit check the start image with one validator (issue 15 item 12): an image
// whose header says 8193×8192 (over the 8192² decompression-bomb limit) used to get a plan while
// submit refused it. Both now refuse it with the same INVALID_PARAMS naming `image`. Real engine.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';

/** A PNG whose IHDR claims width×height (the header is all sharp's metadata reads). */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  // One scanline of data: enough for the header reader, never decoded.
  const idat = deflateSync(Buffer.alloc(1 + width * 3));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

let d: DaemonProcess;
let c: RpcClient;
beforeAll(async () => {
  d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' } });
  c = await d.client();
}, 60_000);
afterAll(async () => {
  await d?.cleanup();
});

describe('one image validator for jobs.plan and jobs.submit', () => {
  it('refuses an 8193×8192 image in both, with the same message', async () => {
    const image = path.join(d.base, 'huge.png');
    writeFileSync(image, pngHeader(8193, 8192));
    const planned = await c.call('jobs.plan', { image }).then(() => null, (e: unknown) => e as { code: string; message: string; detail: unknown });
    const submitted = await c.call('jobs.submit', { image, prompt: 'p' }).then(() => null, (e: unknown) => e as { code: string; message: string; detail: unknown });
    expect(planned).toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['image'] }] } });
    expect(submitted).toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['image'] }] } });
    expect(planned!.message, planned!.message).toMatch(/8193x8192 = 67117056 pixels, over the limit of 67108864/);
    expect(planned!.message).toBe(submitted!.message);
  }, 60_000);
  it('still plans the largest allowed image from its header alone', async () => {
    const image = path.join(d.base, 'max.png');
    writeFileSync(image, pngHeader(8192, 8192));
    const plan = await c.call('jobs.plan', { image });
    expect(plan.input).toMatchObject({ width: 8192, height: 8192 });
  }, 60_000);
});

// Issue 16: `framepack open` builds the player command as its help and docs say, through the real
// CLI (bin/framepack.js) and a real daemon (fake engine): the path replaces a `{}` argument of the
// `player` setting (else it is appended), the same rule the dashboard follows, and the help says so.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliHarness } from '../helpers/cli-harness.js';
import { waitFileText } from '../helpers/wait-for.js';

const h = await createCliHarness('fp-open-player-');
const fake = { FRAMEPACK_ENGINE: 'fake', FRAMEPACK_FAKE_STEP_MS: '5', FRAMEPACK_FAKE_LOAD_MS: '1', FRAMEPACK_DEVICE_MEMORY: '80', FRAMEPACK_PLAYER: '' };
const framepack = (...args: string[]) => h.framepack(args, fake);

afterAll(async () => {
  if (existsSync(h.socketFile)) await framepack('daemon', 'stop');
  await rm(h.dir, { recursive: true, force: true });
});

async function argsSeen(file: string): Promise<string[]> {
  return (await waitFileText(file)).split('\n');
}

describe('framepack open with a {} player placeholder (issue 16)', () => {
  it('puts the video path where {} is, else appends it', { timeout: 60_000 }, async () => {
    const gen = await framepack('generate', '--image', h.image, '--prompt', 'a ball', '--seconds', '1', '--steps', '2');
    expect(gen.code).toBe(0);
    const video = (await framepack('open', '--print', 'last')).stdout.trim();
    expect(video).toMatch(/\.mp4$/);
    // A player stub that writes each argument on its own line.
    const stub = path.join(h.dir, 'player.sh');
    const seen = path.join(h.dir, 'seen.txt');
    writeFileSync(stub, `#!/bin/sh\nprintf '%s\\n' "$@" > '${seen}'\n`);
    chmodSync(stub, 0o755);

    expect((await framepack('config', 'set', 'player', `${stub} --input {} --loop`)).code).toBe(0);
    expect(await framepack('open', 'last')).toMatchObject({ code: 0, stdout: `${video}\n` });
    expect(await argsSeen(seen)).toEqual(['--input', video, '--loop']);

    await rm(seen);
    expect((await framepack('config', 'set', 'player', `${stub} --fullscreen`)).code).toBe(0);
    expect((await framepack('open', 'last')).code).toBe(0);
    expect(await argsSeen(seen)).toEqual(['--fullscreen', video]);

    expect((await framepack('open', '--help')).stdout).toMatch(/replaces\nan argument that is exactly \{\}/);
  });
});

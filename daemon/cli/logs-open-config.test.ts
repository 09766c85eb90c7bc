// `framepack logs`, `open` (player resolution and launch) and `config`, without a daemon: the log
// is a file written here, the player a small script that records its arguments.
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runConfigCommand } from './config-command.js';
import { formatLogLine, jsonLogLine, runLogsCommand } from './logs-command.js';
import { launchPlayer, playerCommand, splitCommand } from './open-command.js';
import { setSetting } from '../settings.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'fp-cli-extra-'));
const env = { ...process.env, FRAMEPACK_DATA_DIR: path.join(base, 'data'), FRAMEPACK_CONFIG_DIR: path.join(base, 'cfg'), FRAMEPACK_PLAYER: '' };
const logFile = path.join(base, 'data', 'daemon.log');
const record = (msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ time: '2026-11-28T04:03:13.223Z', level: 'info', scope: 'job', msg, pid: 7, ...extra });

afterEach(() => vi.unstubAllEnvs());
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('framepack logs', () => {
  it('formats records for people, passes them through with --json, and keeps the last N', async () => {
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, `${record('starting')}\nplain stderr text\n${record('job queued', { jobId: 'j1', position: 0 })}\n`);
    expect(formatLogLine(record('job queued', { jobId: 'j1', position: 0 }))).toBe('2026-11-28 04:03:13 info  job       job queued jobId=j1 position=0');
    expect(formatLogLine('plain stderr text')).toBe('plain stderr text');
    expect(JSON.parse(jsonLogLine('plain'))).toEqual({ raw: 'plain' });
    const lines: string[] = [];
    expect(await runLogsCommand(['-n', '2', '--json'], { write: (l) => lines.push(l), env })).toBe(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ raw: 'plain stderr text' }, JSON.parse(record('job queued', { jobId: 'j1', position: 0 }))]);
    const human: string[] = [];
    await runLogsCommand([], { write: (l) => human.push(l), env });
    expect(human).toHaveLength(3);
    expect(human[0]).toContain('info  job       starting');
    await expect(runLogsCommand(['-n', 'x'], { write: () => {}, env })).rejects.toThrow('--lines must be a number');
  });

  it('-f follows new records until stopped', async () => {
    const seen: string[] = [];
    const stop = new AbortController();
    const following = runLogsCommand(['-f', '-n', '0', '--json'], { write: (l) => seen.push(l), env, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(logFile, `${record('later')}\n{"half":`);
    await vi.waitFor(() => expect(seen.some((l) => l.includes('"later"'))).toBe(true), { timeout: 3000 });
    // A line is printed only once it is complete.
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.some((l) => l.includes('half'))).toBe(false);
    appendFileSync(logFile, '1}\n');
    await vi.waitFor(() => expect(seen.at(-1)).toBe('{"half":1}'), { timeout: 3000 });
    stop.abort();
    expect(await following).toBe(0);
    expect(seen).toHaveLength(5); // the 3 existing lines (-n 0 = all), then the 2 new ones
  });
});

describe('framepack open', () => {
  it('takes the player from the setting, else $FRAMEPACK_PLAYER, else the system opener', async () => {
    const e = { ...env, FRAMEPACK_CONFIG_DIR: path.join(base, 'cfg-open') };
    expect(playerCommand(e, 'linux').argv).toEqual(['xdg-open']);
    expect(playerCommand(e, 'darwin').argv).toEqual(['open']);
    expect(playerCommand({ ...e, FRAMEPACK_PLAYER: 'vlc --play-and-exit' }, 'linux')).toEqual({ argv: ['vlc', '--play-and-exit'], source: '$FRAMEPACK_PLAYER' });
    await setSetting('player', 'mpv --title "my video"', e);
    expect(playerCommand({ ...e, FRAMEPACK_PLAYER: 'vlc' }, 'linux')).toEqual({ argv: ['mpv', '--title', 'my video'], source: 'the player setting' });
    expect(splitCommand(`a 'b c' "d"`)).toEqual(['a', 'b c', 'd']);
  });

  it('starts the player with the video path, and says clearly when there is none', async () => {
    const script = path.join(base, 'player.sh');
    const got = path.join(base, 'player-args.txt');
    writeFileSync(script, `#!/bin/sh\necho "$@" > ${got}\n`);
    chmodSync(script, 0o755);
    await launchPlayer([script, '--fullscreen'], '/videos/clip.mp4', 'test');
    await vi.waitFor(() => expect(existsSync(got) && readFileSync(got, 'utf8')).toBe('--fullscreen /videos/clip.mp4\n'), { timeout: 3000 });
    await expect(launchPlayer(['no-such-player-xyz'], '/v.mp4', '$FRAMEPACK_PLAYER'))
      .rejects.toThrow("no video player: 'no-such-player-xyz' (from $FRAMEPACK_PLAYER) was not found; set one with `framepack config set player mpv` or $FRAMEPACK_PLAYER");
  });
});

describe('framepack config', () => {
  it('set, get, list --json, unset; bad keys and values are usage errors', async () => {
    vi.stubEnv('FRAMEPACK_CONFIG_DIR', path.join(base, 'cfg-cmd'));
    const out: string[] = [];
    const w = (s: string) => out.push(s);
    expect(await runConfigCommand(['set', 'defaults.seconds', '3.5'], w)).toBe(0);
    expect(await runConfigCommand(['set', 'player', 'mpv'], w)).toBe(0);
    expect(await runConfigCommand(['get', 'defaults.seconds'], w)).toBe(0);
    expect(await runConfigCommand(['list', '--json'], w)).toBe(0);
    expect(out).toEqual(['defaults.seconds = 3.5', 'player = mpv', '3.5', JSON.stringify({ 'defaults.seconds': 3.5, player: 'mpv' })]);
    expect(await runConfigCommand(['unset', 'player'], w)).toBe(0);
    expect(await runConfigCommand(['get', 'player', '--json'], w)).toBe(1);
    await expect(runConfigCommand(['set', 'defaults.seconds', '0'], w)).rejects.toThrow(/^config: defaults.seconds .*\(got 0\)$/);
    await expect(runConfigCommand(['set', 'colour', 'red'], w)).rejects.toThrow("config: unknown setting 'colour'");
    await expect(runConfigCommand(['frobnicate'], w)).rejects.toThrow("unknown action 'frobnicate'");
    await expect(runConfigCommand([], w)).rejects.toThrow('config needs an action');
  });
});

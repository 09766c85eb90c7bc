// Reorder and remove queued jobs in a real terminal (tmux at 80×24, a real daemon on the fake
// engine, queue paused): K moves the selected queued job up, J down, D asks before removing and
// y removes it; the daemon's own order (jobs.list) is checked after each key, not only the screen.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-harness.js';
import { cleanupDashboards, openDashboard, trackBase } from '../helpers/tmux-dashboard.js';

afterEach(cleanupDashboards);

/** Queued prompts top to bottom as the side bar lists them. */
const shown = (screen: string) => [...screen.matchAll(/◷ (fox|bird|frog)/g)].map((m) => m[1]);

describe('reorder and remove queued jobs in the dashboard', () => {
  it('80×24: K / J move the selected queued job, D then y removes it', async () => {
    const d = await startDaemon();
    trackBase(d.base);
    const client = await d.client('setup');
    await client.call('queue.pause', {});
    for (const prompt of ['fox', 'bird', 'frog']) await client.call('jobs.submit', { image: d.image(), prompt, seconds: 1, steps: 1 });
    const order = async () => (await client.call('jobs.list', { states: ['queued'] })).jobs.sort((a, b) => a.position! - b.position!).map((j) => j.spec.prompt);
    const tui = openDashboard(d.base, { ...d.env, FRAMEPACK_CONFIG_DIR: path.join(d.base, 'cfg') }, 80, 24);
    try {
      await tui.waitScreen((s) => shown(s).join() === 'fox,bird,frog', 'three queued jobs');
      await tui.press('j', 'j'); // select frog
      await tui.press('K');
      await tui.waitScreen((s) => shown(s).join() === 'fox,frog,bird', 'frog moved up');
      expect(await order()).toEqual(['fox', 'frog', 'bird']);
      await tui.press('K');
      await tui.waitScreen((s) => shown(s).join() === 'frog,fox,bird', 'frog moved up again (the selection follows it)');
      await tui.press('J');
      await tui.waitScreen((s) => shown(s).join() === 'fox,frog,bird', 'frog moved down');
      expect(await order()).toEqual(['fox', 'frog', 'bird']);
      await tui.press('D');
      await tui.waitScreen((s) => /Remove queued job \S+ \("frog"\)/.test(s), 'the confirmation');
      await tui.press('y');
      await tui.waitScreen((x) => shown(x).join() === 'fox,bird' && /queue 2 ⏸\s+removed/.test(x), 'frog removed, and the notice');
      expect(await order()).toEqual(['fox', 'bird']);
    } finally {
      client.close();
    }
  }, 60_000);
});

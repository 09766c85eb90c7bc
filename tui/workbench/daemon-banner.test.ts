import { describe, expect, it } from 'vitest';
import { initialDashboard } from '../daemon/dashboard-store.js';
import type { DaemonState } from '../daemon/daemon-context.js';
import { DEFAULT_KEYBINDINGS } from '../keys/keybindings.js';
import { wrapRows } from '../components/text-utils.js';
import { bannerLines, bannerRows } from './daemon-banner.js';

const state = (over: Partial<DaemonState>): DaemonState => ({ connection: 'reconnecting', hello: null, data: initialDashboard, attempts: 0, down: null, restarting: false, ...over });

describe('the daemon banner', () => {
  it('wraps the reason at spaces and cuts only past the row limit', () => {
    expect(wrapRows('aaa bbb ccc', 7, 3)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapRows('aaaaaaaaaa', 4, 3)).toEqual(['aaaa', 'aaaa', 'aa']);
    expect(wrapRows('aaaa bbbb cccc dddd', 4, 2)).toEqual(['aaaa', 'bbb…']);
  });

  it('shows only while the daemon does not answer, with the restart key from the bindings', () => {
    expect(bannerRows(state({ connection: 'ready', down: 'x' }), DEFAULT_KEYBINDINGS, true, 80)).toBe(0);
    expect(bannerRows(state({ down: null }), DEFAULT_KEYBINDINGS, true, 80)).toBe(0);
    const lines = bannerLines(state({ down: 'the daemon (pid 9) is gone' }), DEFAULT_KEYBINDINGS, true, 80);
    expect(lines.reason).toEqual(['✖ the daemon (pid 9) is gone']);
    expect(lines.action).toMatch(/^R restart the daemon/);
    expect(bannerLines(state({ down: 'gone' }), DEFAULT_KEYBINDINGS, false, 100).action).toContain('framepack daemon start');
    expect(bannerLines(state({ down: 'gone', restarting: true }), DEFAULT_KEYBINDINGS, true, 80).action).toBe('starting the daemon…');
  });
});

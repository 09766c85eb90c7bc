import { describe, expect, it } from 'vitest';
import { computeLayout, initialLayout, layoutReducer, type LayoutAction, type LayoutState } from './layout-state.js';
import { Part } from './parts.js';

const run = (actions: LayoutAction[], from: LayoutState = initialLayout) => actions.reduce(layoutReducer, from);

describe('layout state', () => {
  it('switches views (focusing the side bar) and cycles focus over visible parts', () => {
    let s = run([{ type: 'focus', part: Part.editor }, { type: 'showView', view: 'models' }]);
    expect(s).toMatchObject({ activeView: 'models', focus: Part.sideBar });
    s = run([{ type: 'focusNext', delta: 1 }, { type: 'focusNext', delta: 1 }], s);
    expect(s.focus).toBe(Part.panel);
    s = run([{ type: 'togglePanel' }], s);
    expect(s).toMatchObject({ panelVisible: false, focus: Part.sideBar }); // focus leaves a hidden panel
    s = run([{ type: 'focusNext', delta: -1 }], s);
    expect(s.focus).toBe(Part.editor); // the hidden panel is skipped
  });

  it('opens a fresh new-job form each time, and job editors', () => {
    const spec = { image: '/a.png' } as never;
    let s = run([{ type: 'openNewJob' }]);
    expect(s.editor).toEqual({ kind: 'new-job', from: null, nonce: 1 });
    expect(s.focus).toBe(Part.editor);
    s = run([{ type: 'openNewJob', from: spec }], s);
    expect(s.editor).toEqual({ kind: 'new-job', from: spec, nonce: 2 });
    s = run([{ type: 'openJob', jobId: 'j1' }, { type: 'closeEditor' }], s);
    expect(s).toMatchObject({ editor: { kind: 'welcome' }, focus: Part.sideBar });
  });

  it('keeps selections inside their lists and cycles panel tabs', () => {
    let s = run([{ type: 'moveSelection', view: 'jobs', delta: 5, count: 3 }]);
    expect(s.selection.jobs).toBe(2);
    s = run([{ type: 'moveSelection', view: 'jobs', delta: -9, count: 3 }, { type: 'moveSelection', view: 'models', delta: 1, count: 0 }], s);
    expect(s.selection).toMatchObject({ jobs: 0, models: 0 });
    s = run([{ type: 'togglePanel' }, { type: 'cyclePanelTab' }], s);
    expect(s).toMatchObject({ panelVisible: true, panelTab: 'problems' });
    s = run([{ type: 'cyclePanelTab' }, { type: 'cyclePanelTab' }], s);
    expect(s.panelTab).toBe('logs');
    s = run([{ type: 'openOverlay', overlay: 'palette' }], s);
    expect(s.overlay).toBe('palette');
    expect(run([{ type: 'showView', view: 'jobs' }], s).overlay).toBeNull();
  });

  it('lays out 80×24 and wider terminals with every part inside the screen', () => {
    for (const [cols, rows] of [[80, 24], [100, 30], [200, 60]] as const) {
      const l = computeLayout(cols, rows, true);
      expect(l.activityCols + l.sideCols + l.editorCols).toBe(cols);
      expect(l.bodyRows + l.panelRows + l.statusRows).toBe(rows);
      expect(l.editorCols).toBeGreaterThanOrEqual(40);
      expect(l.bodyRows).toBeGreaterThanOrEqual(12);
    }
    expect(computeLayout(80, 24, false).panelRows).toBe(0);
  });
});

describe('drafts and confirmations (issue 16 item 13)', () => {
  it('n on the open form keeps it; a discarded draft reopens the form fresh', () => {
    let s = layoutReducer(initialLayout, { type: 'openNewJob' });
    const nonce = s.editor.kind === 'new-job' ? s.editor.nonce : -1;
    s = layoutReducer(s, { type: 'saveDraft', draft: { state: { typed: true }, base: {}, dirty: true } });
    s = layoutReducer(s, { type: 'openNewJob' });
    expect(s.editor).toMatchObject({ kind: 'new-job', nonce });
    expect(s.draft?.dirty).toBe(true);
    s = layoutReducer(s, { type: 'discardDraft' });
    expect(s.draft).toBeNull();
    expect(s.editor.kind === 'new-job' && s.editor.nonce).not.toBe(nonce);
    let ran = 0;
    s = layoutReducer(s, { type: 'askConfirm', confirm: { text: 'Quit?', run: () => void ran++ } });
    expect(s.confirm?.text).toBe('Quit?');
    s = layoutReducer(s, { type: 'closeConfirm' });
    expect(s.confirm).toBeNull();
    expect(ran).toBe(0);
  });

  it('the form’s open groups outlive a submitted (discarded) draft and a new form', () => {
    let s = run([{ type: 'openNewJob' }, { type: 'formGroups', open: ['sampling', 'extend'] }]);
    s = run([{ type: 'discardDraft' }, { type: 'closeEditor' }, { type: 'openNewJob' }], s);
    expect(s.formGroupsOpen).toEqual(['sampling', 'extend']);
    // The same groups again change nothing (the form reports them on every mount).
    expect(layoutReducer(s, { type: 'formGroups', open: ['sampling', 'extend'] })).toBe(s);
  });
});

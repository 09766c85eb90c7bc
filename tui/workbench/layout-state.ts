// The workbench's layout as a pure reducer (STYLE.md §3.3 conv. 11): which view the activity bar
// shows, which part has focus, the panel tab, the open editor, list selections, overlays and the
// one-line notification. computeLayout() turns it and the terminal size into column/row sizes.
import { FOCUS_ORDER, PANEL_TABS, Part, type PanelTab, type ViewId } from './parts.js';
import type { JobSpec } from '../../shared/protocol/index.js';
import type { GroupId as FormGroupId } from '../views/form-groups.js';

export type Overlay = 'palette' | 'help' | null;

export type Editor =
  | { kind: 'welcome' }
  /** A new-job form; `from` pre-fills it (copy parameters / re-run); nonce forces a fresh form. */
  | { kind: 'new-job'; from: JobSpec | null; nonce: number }
  | { kind: 'job'; jobId: string };

export interface Notice {
  text: string;
  level: 'info' | 'warn' | 'error';
  /** The job the notice is about ("queued … at position 1", "cancelling …"): it is dropped once that job has finished. */
  jobId?: string;
}

export interface LayoutState {
  activeView: ViewId;
  focus: Part;
  panelTab: PanelTab;
  panelVisible: boolean;
  overlay: Overlay;
  editor: Editor;
  /** Selected row of each side-bar list. */
  selection: Record<ViewId, number>;
  notice: Notice | null;
  nextNonce: number;
  /** The `/` filter of the Jobs and Outputs lists, and whether it is being typed. */
  listFilter: { jobs: string; outputs: string };
  filtering: boolean;
  /** The new-job form's state, kept while the form is closed, so `n` brings it back instead of wiping it. */
  draft: Draft | null;
  /** The new-job form's open groups of expert fields (tui/views/form-groups.ts), kept for the session. */
  formGroupsOpen: FormGroupId[];
  /** A question waiting for y (runs `run`) or any other key (drops it): destructive keys ask first. */
  confirm: Confirm | null;
}

export interface Draft {
  /** The form's reducer state (tui/views/form-state.ts), opaque here. */
  state: unknown;
  /** What the form started from (defaults or a copied job), to restore its hidden fields. */
  base: unknown;
  /** Something was typed or changed since the form opened. */
  dirty: boolean;
}

export interface Confirm {
  text: string;
  run: () => void;
}

export type LayoutAction =
  | { type: 'showView'; view: ViewId }
  | { type: 'focus'; part: Part }
  | { type: 'focusNext'; delta: 1 | -1 }
  | { type: 'showPanel'; tab: PanelTab }
  | { type: 'cyclePanelTab' }
  | { type: 'togglePanel' }
  | { type: 'openOverlay'; overlay: Exclude<Overlay, null> }
  | { type: 'closeOverlay' }
  | { type: 'openNewJob'; from?: JobSpec | null }
  | { type: 'openJob'; jobId: string }
  | { type: 'closeEditor' }
  | { type: 'moveSelection'; view: ViewId; delta: number; count: number }
  | { type: 'select'; view: ViewId; index: number }
  | { type: 'notify'; notice: Notice | null }
  | { type: 'setFilter'; view: 'jobs' | 'outputs'; query: string; editing: boolean }
  | { type: 'saveDraft'; draft: Draft }
  | { type: 'discardDraft' }
  | { type: 'formGroups'; open: FormGroupId[] }
  | { type: 'askConfirm'; confirm: Confirm }
  | { type: 'closeConfirm' };

export const initialLayout: LayoutState = {
  activeView: 'jobs',
  focus: Part.sideBar,
  panelTab: 'logs',
  panelVisible: true,
  overlay: null,
  editor: { kind: 'welcome' },
  selection: { jobs: 0, models: 0, outputs: 0, diagnostics: 0, settings: 0 },
  notice: null,
  nextNonce: 1,
  listFilter: { jobs: '', outputs: '' },
  filtering: false,
  draft: null,
  formGroupsOpen: [],
  confirm: null,
};

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}

export function layoutReducer(state: LayoutState, action: LayoutAction): LayoutState {
  switch (action.type) {
    case 'showView':
      return { ...state, activeView: action.view, focus: Part.sideBar, overlay: null };
    case 'focus':
      if (action.part === Part.panel && !state.panelVisible) return { ...state, focus: action.part, panelVisible: true };
      return { ...state, focus: action.part };
    case 'focusNext': {
      const order = FOCUS_ORDER.filter((p) => p !== Part.panel || state.panelVisible);
      const at = order.indexOf(state.focus);
      const next = order[(at + action.delta + order.length) % order.length]!;
      return { ...state, focus: next };
    }
    case 'showPanel':
      return { ...state, panelVisible: true, panelTab: action.tab };
    case 'cyclePanelTab': {
      const at = PANEL_TABS.findIndex((t) => t.id === state.panelTab);
      return { ...state, panelVisible: true, panelTab: PANEL_TABS[(at + 1) % PANEL_TABS.length]!.id };
    }
    case 'togglePanel': {
      const panelVisible = !state.panelVisible;
      return { ...state, panelVisible, focus: !panelVisible && state.focus === Part.panel ? Part.sideBar : state.focus };
    }
    case 'openOverlay':
      return { ...state, overlay: action.overlay };
    case 'closeOverlay':
      return { ...state, overlay: null };
    case 'openNewJob':
      // `n` on the open form keeps it (and its draft): only a copy replaces what is there.
      if (!action.from && state.editor.kind === 'new-job') return { ...state, focus: Part.editor, overlay: null };
      return { ...state, editor: { kind: 'new-job', from: action.from ?? null, nonce: state.nextNonce }, nextNonce: state.nextNonce + 1, focus: Part.editor, overlay: null };
    case 'openJob':
      return { ...state, editor: { kind: 'job', jobId: action.jobId } };
    case 'closeEditor':
      return { ...state, editor: { kind: 'welcome' }, focus: state.focus === Part.editor ? Part.sideBar : state.focus };
    case 'moveSelection': {
      const current = state.selection[action.view];
      const index = action.count === 0 ? 0 : clamp(current + action.delta, 0, action.count - 1);
      return { ...state, selection: { ...state.selection, [action.view]: index } };
    }
    case 'select':
      return { ...state, selection: { ...state.selection, [action.view]: Math.max(0, action.index) } };
    case 'notify':
      return { ...state, notice: action.notice };
    case 'setFilter':
      // A new query starts at the top of the filtered list.
      return { ...state, listFilter: { ...state.listFilter, [action.view]: action.query }, filtering: action.editing, selection: { ...state.selection, [action.view]: 0 } };
    case 'saveDraft':
      return { ...state, draft: action.draft };
    case 'discardDraft':
      // A fresh form when it is open (new nonce: remounted from the defaults).
      return state.editor.kind === 'new-job'
        ? { ...state, draft: null, editor: { kind: 'new-job', from: null, nonce: state.nextNonce }, nextNonce: state.nextNonce + 1 }
        : { ...state, draft: null };
    case 'formGroups':
      return action.open.join() === state.formGroupsOpen.join() ? state : { ...state, formGroupsOpen: action.open };
    case 'askConfirm':
      return { ...state, confirm: action.confirm };
    case 'closeConfirm':
      return { ...state, confirm: null };
  }
}

export interface LayoutSizes {
  /** Columns of each part (the activity bar is a fixed strip). */
  activityCols: number;
  sideCols: number;
  editorCols: number;
  /** Rows of the side bar / editor row, the panel (0 when hidden) and the status bar. */
  bodyRows: number;
  panelRows: number;
  statusRows: number;
}

export const MIN_COLS = 80;
export const MIN_ROWS = 24;
const ACTIVITY_COLS = 3;

/** Part sizes for a terminal of cols × rows; smaller than 80×24 is laid out as 80×24 would be, clipped. */
export function computeLayout(cols: number, rows: number, panelVisible: boolean): LayoutSizes {
  const c = Math.max(cols, 40);
  const r = Math.max(rows, 12);
  const sideCols = clamp(Math.round(c * 0.3), 22, 40);
  const statusRows = 1;
  const panelRows = panelVisible ? clamp(Math.round(r * 0.28), 6, 14) : 0;
  return {
    activityCols: ACTIVITY_COLS,
    sideCols,
    editorCols: c - ACTIVITY_COLS - sideCols,
    bodyRows: r - statusRows - panelRows,
    panelRows,
    statusRows,
  };
}

// The workbench's parts and views (VS Code's Parts enum, STYLE.md §1.3): focus moves by part, not
// by Ink's Tab render order, and every view/panel tab has a stable id used by commands and keys.

export const Part = {
  activityBar: 'workbench.parts.activityBar',
  sideBar: 'workbench.parts.sideBar',
  editor: 'workbench.parts.editor',
  panel: 'workbench.parts.panel',
  statusBar: 'workbench.parts.statusBar',
} as const;
export type Part = (typeof Part)[keyof typeof Part];

/** Parts that take keyboard focus, in Tab order. */
export const FOCUS_ORDER: readonly Part[] = [Part.sideBar, Part.editor, Part.panel];

/** Activity bar entries: each shows its list in the side bar. */
export const VIEWS = [
  { id: 'jobs', title: 'Jobs', key: '1' },
  { id: 'models', title: 'Models', key: '2' },
  { id: 'outputs', title: 'Outputs', key: '3' },
  { id: 'diagnostics', title: 'Diagnostics', key: '4' },
  { id: 'settings', title: 'Settings', key: '5' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

/** Bottom panel tabs. */
export const PANEL_TABS = [
  { id: 'logs', title: 'Logs' },
  { id: 'problems', title: 'Problems' },
  { id: 'daemon', title: 'Daemon' },
] as const;
export type PanelTab = (typeof PANEL_TABS)[number]['id'];

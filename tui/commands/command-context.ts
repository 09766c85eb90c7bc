// What a command sees when it runs: the layout, the daemon state and actions, the services, and
// the current selection (resolved here once, so every command agrees on "the selected job").
import type { Dispatch } from 'react';
import type { DaemonActions, DaemonState } from '../daemon/daemon-context.js';
import { filterJobs, jobList, outputList, type JobView } from '../daemon/jobs-store.js';
import { componentRows, type ComponentRow } from '../daemon/residency-store.js';
import type { LayoutAction, LayoutState, Notice } from '../workbench/layout-state.js';
import { Part } from '../workbench/parts.js';
import type { Services } from '../workbench/services-context.js';

export interface CommandContext {
  layout: LayoutState;
  dispatch: Dispatch<LayoutAction>;
  daemon: DaemonState;
  actions: DaemonActions;
  services: Services;
  notify: (text: string, level?: Notice['level']) => void;
  /** The job the user is looking at: the open job editor when focused, else the side-bar selection. */
  selectedJob: JobView | null;
  /** The selected component row in the Models view. */
  selectedComponent: ComponentRow | null;
  /** A model to act on: the selected row's, else the only/first known model. */
  selectedModel: string | null;
}

export function resolveSelection(layout: LayoutState, daemon: DaemonState): Pick<CommandContext, 'selectedJob' | 'selectedComponent' | 'selectedModel'> {
  const jobs = daemon.data.jobs;
  const editorJob = layout.editor.kind === 'job' ? jobs.jobs[layout.editor.jobId] ?? null : null;
  let selectedJob: JobView | null = null;
  if (layout.focus === Part.editor && editorJob) selectedJob = editorJob;
  else if (layout.activeView === 'jobs') selectedJob = filterJobs(jobList(jobs), layout.listFilter.jobs)[layout.selection.jobs] ?? null;
  else if (layout.activeView === 'outputs') selectedJob = filterJobs(outputList(jobs), layout.listFilter.outputs)[layout.selection.outputs] ?? null;
  selectedJob ??= editorJob;
  const rows = componentRows(daemon.data.residency);
  const selectedComponent = layout.activeView === 'models' ? rows[layout.selection.models] ?? null : null;
  const selectedModel = selectedComponent?.model ?? daemon.data.residency.models[0]?.name ?? null;
  return { selectedJob, selectedComponent, selectedModel };
}

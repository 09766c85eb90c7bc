// Every dashboard action as a command (ids are category.action, as VS Code and gemini): the palette
// lists them, keybindings.ts binds keys to them, help.tsx prints them. Commands talk to the daemon
// only through DaemonActions.call and report through notify, never by printing.
import { RpcError, type JobSpec, type JobSpecInput } from '../../shared/protocol/index.js';
import { fetchDoctor } from '../daemon/doctor-source.js';
import { isFinished } from '../daemon/jobs-store.js';
import { resolvePlayer } from '../settings/settings.js';
import { randomSeed } from '../views/form-state.js';
import { PANEL_TABS, Part, VIEWS } from '../workbench/parts.js';
import { CommandRegistry, type Command } from './command-registry.js';
import { queueEditCommands } from './queue-edit-commands.js';
import type { CommandContext } from './command-context.js';

type Cmd = Command<CommandContext>;

function errorText(err: unknown): string {
  if (err instanceof RpcError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Run a daemon call and turn a failure into a notice instead of an exception. */
async function attempt(ctx: CommandContext, what: string, fn: () => Promise<string | void>): Promise<void> {
  try {
    const message = await fn();
    if (message) ctx.notify(message, 'info');
  } catch (err: unknown) {
    ctx.notify(`${what} failed: ${errorText(err)}`, 'error');
  }
}

const connected = (ctx: CommandContext) => ctx.daemon.connection === 'ready';
const hasActiveJob = (ctx: CommandContext) => connected(ctx) && ctx.selectedJob !== null && !isFinished(ctx.selectedJob);
const hasJob = (ctx: CommandContext) => ctx.selectedJob !== null;

/** A finished job's spec as a new submission: same parameters, no fixed output path. */
export function specForResubmit(spec: JobSpec, overrides: Partial<JobSpecInput> = {}): JobSpecInput {
  const { out: _out, ...rest } = spec;
  return { ...rest, front: false, ...overrides };
}

export function builtinCommands(): Cmd[] {
  const views: Cmd[] = VIEWS.map((v) => ({
    id: `view.${v.id}`,
    title: `Show ${v.title}`,
    category: 'View',
    run: (ctx) => ctx.dispatch({ type: 'showView', view: v.id }),
  }));
  const panels: Cmd[] = PANEL_TABS.map((t) => ({
    id: `panel.${t.id}`,
    title: `Show ${t.title} panel`,
    category: 'View',
    run: (ctx) => ctx.dispatch({ type: 'showPanel', tab: t.id }),
  }));
  return [
    { id: 'workbench.commandPalette', title: 'Show All Commands', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'openOverlay', overlay: 'palette' }) },
    { id: 'workbench.help', title: 'Keyboard Help', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'openOverlay', overlay: 'help' }) },
    {
      id: 'workbench.quit', title: 'Quit (the daemon keeps running)', category: 'Workbench',
      run: (ctx) => {
        // A typed, unsubmitted job is not thrown away on one key (Ctrl+C in the form included).
        if (ctx.layout.draft?.dirty && !ctx.layout.confirm) ctx.dispatch({ type: 'askConfirm', confirm: { text: 'Quit? The new job you are typing is not submitted (the daemon keeps running).', run: () => ctx.services.exit() } });
        else ctx.services.exit();
      },
    },
    { id: 'workbench.focusNext', title: 'Focus Next Part', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'focusNext', delta: 1 }) },
    { id: 'workbench.focusPrevious', title: 'Focus Previous Part', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'focusNext', delta: -1 }) },
    { id: 'workbench.focusEditor', title: 'Focus Editor', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'focus', part: Part.editor }) },
    { id: 'workbench.togglePanel', title: 'Toggle Bottom Panel', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'togglePanel' }) },
    { id: 'workbench.nextPanelTab', title: 'Next Panel Tab', category: 'Workbench', run: (ctx) => ctx.dispatch({ type: 'cyclePanelTab' }) },
    ...views,
    ...panels,
    {
      id: 'jobs.new', title: 'New Job…', category: 'Jobs',
      run: (ctx) => {
        // Never wipes a draft: the form comes back as it was left (Discard Draft starts afresh).
        if (ctx.layout.draft?.dirty && ctx.layout.editor.kind !== 'new-job') ctx.notify('continuing your draft (Ctrl+P › Jobs: Discard Draft starts afresh)', 'info');
        ctx.dispatch({ type: 'openNewJob' });
      },
    },
    {
      id: 'jobs.discardDraft', title: 'Discard Draft (new job form)', category: 'Jobs', when: (ctx) => ctx.layout.draft?.dirty === true,
      run: (ctx) => ctx.dispatch({ type: 'askConfirm', confirm: { text: 'Discard the new job you are typing?', run: () => ctx.dispatch({ type: 'discardDraft' }) } }),
    },
    {
      id: 'jobs.open', title: 'Open Selected Job', category: 'Jobs', when: hasJob,
      run: (ctx) => ctx.dispatch({ type: 'openJob', jobId: ctx.selectedJob!.job.id }),
    },
    {
      id: 'jobs.cancel', title: 'Cancel Job Now', category: 'Jobs', when: hasActiveJob,
      run: (ctx) => attempt(ctx, 'cancel', async () => {
        const { job } = await ctx.actions.call('jobs.cancel', { jobId: ctx.selectedJob!.job.id, when: 'now' });
        ctx.actions.dispatch({ type: 'job', job });
        ctx.dispatch({ type: 'notify', notice: { text: `cancelling ${job.id}`, level: 'info', jobId: job.id } });
      }),
    },
    {
      id: 'jobs.cancelAfterSection', title: 'Cancel Job After This Section (keeps it)', category: 'Jobs', when: hasActiveJob,
      run: (ctx) => attempt(ctx, 'cancel', async () => {
        const { job } = await ctx.actions.call('jobs.cancel', { jobId: ctx.selectedJob!.job.id, when: 'after-section' });
        ctx.actions.dispatch({ type: 'job', job });
        ctx.dispatch({ type: 'notify', notice: { text: `${job.id} stops after its current section`, level: 'info', jobId: job.id } });
      }),
    },
    ...queueEditCommands(),
    {
      id: 'jobs.rerunNewSeed', title: 'Re-run Job With a New Seed', category: 'Jobs', when: (ctx) => connected(ctx) && hasJob(ctx),
      run: (ctx) => attempt(ctx, 're-run', async () => {
        const seed = randomSeed();
        const { jobId, position } = await ctx.actions.call('jobs.submit', specForResubmit(ctx.selectedJob!.job.spec, { seed }));
        ctx.dispatch({ type: 'notify', notice: { text: `queued ${jobId} (seed ${seed}, position ${position + 1})`, level: 'info', jobId } });
      }),
    },
    {
      id: 'jobs.copyToNew', title: 'Copy Job Parameters Into a New Job', category: 'Jobs', when: hasJob,
      run: (ctx) => {
        const open = () => ctx.dispatch({ type: 'openNewJob', from: ctx.selectedJob!.job.spec });
        if (ctx.layout.draft?.dirty) ctx.dispatch({ type: 'askConfirm', confirm: { text: `Replace the new job you are typing with ${ctx.selectedJob!.job.id}'s parameters?`, run: open } });
        else open();
      },
    },
    {
      id: 'queue.pause', title: 'Pause Queue (running job finishes)', category: 'Queue', when: (ctx) => connected(ctx) && ctx.daemon.data.jobs.queue?.paused !== true,
      run: (ctx) => attempt(ctx, 'pause', async () => {
        await ctx.actions.call('queue.pause', {});
        return 'queue paused';
      }),
    },
    {
      id: 'queue.resume', title: 'Resume Queue', category: 'Queue', when: (ctx) => connected(ctx) && ctx.daemon.data.jobs.queue?.paused === true,
      run: (ctx) => attempt(ctx, 'resume', async () => {
        await ctx.actions.call('queue.resume', {});
        return 'queue resumed';
      }),
    },
    {
      id: 'queue.toggle', title: 'Pause/Resume Queue', category: 'Queue', when: connected,
      run: (ctx) => attempt(ctx, 'queue', async () => {
        const paused = ctx.daemon.data.jobs.queue?.paused === true;
        if (paused) await ctx.actions.call('queue.resume', {});
        else await ctx.actions.call('queue.pause', {});
        return paused ? 'queue resumed' : 'queue paused';
      }),
    },
    {
      id: 'outputs.open', title: 'Open Output in Player', category: 'Outputs',
      when: (ctx) => Boolean(ctx.selectedJob?.job.outputPath ?? ctx.selectedJob?.job.partialPath),
      run: (ctx) => attempt(ctx, 'open', async () => {
        const file = ctx.selectedJob!.job.outputPath ?? ctx.selectedJob!.job.partialPath!;
        // Read the store again: a `framepack config set player` made since counts (as for `framepack open`).
        const player = resolvePlayer(ctx.services.reloadUser(), ctx.services.env);
        await ctx.services.openFile(player, file);
        return `opened ${file} with ${player.command}`;
      }),
    },
    {
      id: 'models.load', title: 'Load Model (pre-warm)', category: 'Models', when: (ctx) => connected(ctx) && ctx.selectedModel !== null,
      run: (ctx) => attempt(ctx, 'load', async () => {
        const model = ctx.selectedModel!;
        ctx.notify(`loading ${model}…`, 'info');
        const { model: status } = await ctx.actions.call('models.load', { model, ...(ctx.selectedComponent ? { components: [ctx.selectedComponent.component] } : {}) });
        return `${status.name}: ${status.components.filter((c) => c.state === 'loaded').length} components loaded`;
      }),
    },
    {
      id: 'models.unload', title: 'Unload Model', category: 'Models', when: (ctx) => connected(ctx) && ctx.selectedModel !== null,
      run: (ctx) => attempt(ctx, 'unload', async () => {
        const model = ctx.selectedModel!;
        await ctx.actions.call('models.unload', { model, ...(ctx.selectedComponent ? { components: [ctx.selectedComponent.component] } : {}) });
        return `unloaded ${ctx.selectedComponent ? `${model}/${ctx.selectedComponent.component}` : model}`;
      }),
    },
    {
      id: 'models.unloadAll', title: 'Unload All Idle Models', category: 'Models', when: connected,
      run: (ctx) => attempt(ctx, 'unload', async () => {
        await ctx.actions.call('models.unload', {});
        return 'unloaded every idle model';
      }),
    },
    {
      id: 'daemon.start', title: 'Start (Restart) the Daemon', category: 'Daemon',
      when: (ctx) => ctx.daemon.connection !== 'ready' && !ctx.daemon.restarting && ctx.services.startDaemon !== undefined,
      run: (ctx) => {
        ctx.actions.restartDaemon();
        ctx.notify('starting the daemon…', 'info');
      },
    },
    {
      id: 'diagnostics.run', title: 'Run Doctor (Problems)', category: 'Diagnostics',
      run: (ctx) => {
        ctx.services.trackDoctor(() => fetchDoctor({
          hello: ctx.daemon.hello, refresh: true, fallback: ctx.services.runDoctor,
          call: (p) => ctx.actions.call('daemon.doctor', p),
        }));
        ctx.dispatch({ type: 'showPanel', tab: 'problems' });
      },
    },
  ];
}

export function createRegistry(): CommandRegistry<CommandContext> {
  const registry = new CommandRegistry<CommandContext>();
  for (const c of builtinCommands()) registry.register(c);
  return registry;
}

// Reorder and remove queued jobs from the dashboard (issue 16, FramePack-Studio's queue): move the
// selected queued job up or down one place, or remove it after a y/n question (lazygit's
// confirmation on destructive keys). The daemon is asked for the job's current position first, so
// a position the dashboard has not heard about yet (another client moved it) is never acted on.
import { RpcError } from '../../shared/protocol/index.js';
import type { Command } from './command-registry.js';
import type { CommandContext } from './command-context.js';

type Cmd = Command<CommandContext>;

const selectedQueued = (ctx: CommandContext) => ctx.daemon.connection === 'ready' && ctx.selectedJob?.job.state === 'queued';

function errorText(err: unknown): string {
  if (err instanceof RpcError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

async function move(ctx: CommandContext, delta: -1 | 1): Promise<void> {
  const jobId = ctx.selectedJob!.job.id;
  try {
    const { job } = await ctx.actions.call('jobs.get', { jobId });
    if (job.state !== 'queued' || job.position === null) return ctx.notify(`${jobId} is ${job.state}; only queued jobs move`, 'warn');
    const to = job.position + delta;
    if (to < 0) return ctx.notify(`${jobId} already runs next`, 'info');
    const moved = await ctx.actions.call('jobs.move', { jobId, to });
    if (moved.position === job.position) return ctx.notify(`${jobId} is already last in the queue`, 'info');
    // The selection follows the job (the list shows queued jobs in run order).
    if (ctx.layout.activeView === 'jobs') ctx.dispatch({ type: 'moveSelection', view: 'jobs', delta: moved.position - job.position, count: Number.MAX_SAFE_INTEGER });
    // Verb first: a narrow status bar cuts the end, and the id is the long part.
    ctx.notify(`moved to #${moved.position + 1} of ${moved.queued.length}: ${jobId}`, 'info');
  } catch (err: unknown) {
    ctx.notify(`move failed: ${errorText(err)}`, 'error');
  }
}

export function queueEditCommands(): Cmd[] {
  return [
    { id: 'jobs.moveUp', title: 'Move Queued Job Up (runs sooner)', category: 'Jobs', when: selectedQueued, run: (ctx) => move(ctx, -1) },
    { id: 'jobs.moveDown', title: 'Move Queued Job Down (runs later)', category: 'Jobs', when: selectedQueued, run: (ctx) => move(ctx, 1) },
    {
      id: 'jobs.remove', title: 'Remove Queued Job…', category: 'Jobs', when: selectedQueued,
      run: (ctx) => {
        const { id, spec } = ctx.selectedJob!.job;
        const prompt = spec.prompt.replace(/\s+/g, ' ').slice(0, 30);
        ctx.dispatch({
          type: 'askConfirm',
          confirm: {
            text: `Remove queued job ${id} ("${prompt}") from the queue?`,
            run: () => void ctx.actions.call('jobs.remove', { jobId: id }).then(
              (r) => ctx.notify(`removed (${r.queued.length} still queued): ${id}`, 'info'),
              (err: unknown) => ctx.notify(`remove failed: ${errorText(err)}`, 'error'),
            ),
          },
        });
      },
    },
  ];
}

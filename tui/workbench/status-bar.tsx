// The status bar: daemon state, the execution provider it runs on (cpu / cuda / webgpu; the
// reason is in Diagnostics), VRAM bar (RAM in CPU mode) with numbers, queue length (paused
// marked), the running job's section and percent, then the latest notice and the key hints.
import { Box, Text } from 'ink';
import { useDaemon } from '../daemon/daemon-context.js';
import { isFinished, jobPercent, runningJob, sectionCounter, type JobsState } from '../daemon/jobs-store.js';
import type { Notice } from './layout-state.js';
import { formatBytes, memoryGauge } from '../daemon/residency-store.js';
import { colors } from '../theme/semantic-colors.js';
import { gauge, truncate } from '../components/text-utils.js';
import { useLayout, useLayoutDispatch } from './layout-context.js';
import { useMouse } from '../mouse/mouse-context.js';
import { statusHintAt } from '../mouse/buttons.js';

const CONNECTION_TEXT = { connecting: '◌ connecting', ready: '● ready', reconnecting: '↻ reconnecting', incompatible: '✖ incompatible daemon', closed: '○ closed' } as const;
const CONNECTION_COLOR = { connecting: colors.status.info, ready: colors.status.ok, reconnecting: colors.status.warn, incompatible: colors.status.error, closed: colors.text.muted } as const;
const NOTICE_COLOR = { info: colors.status.info, warn: colors.status.warn, error: colors.status.error } as const;

/** The notice to show: one about a job that has finished since ("queued … at position 1", "cancelling …") is stale. */
export function currentNotice(notice: Notice | null, jobs: JobsState): Notice | null {
  if (!notice?.jobId) return notice;
  const v = jobs.jobs[notice.jobId];
  return v && isFinished(v) ? null : notice;
}

/** The left part as plain text segments (for tests and width accounting). */
export function statusSegments(daemon: ReturnType<typeof useDaemon>): string[] {
  const segs: string[] = [CONNECTION_TEXT[daemon.connection]];
  const provider = daemon.data.status?.provider;
  if (provider) segs.push(`on ${provider.name}`);
  const cluster = daemon.data.status?.cluster;
  if (cluster) segs.push(`worker of ${cluster.queue}${cluster.connected ? '' : ' (unreachable)'}`);
  const mem = memoryGauge(daemon.data.residency.memory);
  if (mem) segs.push(`${mem.label} ${gauge(mem.usedBytes / mem.totalBytes, 6)} ${formatBytes(mem.usedBytes)}/${formatBytes(mem.totalBytes)}`);
  const q = daemon.data.jobs.queue;
  if (q) segs.push(`queue ${q.queued}${q.paused ? ' ⏸' : ''}`);
  const run = runningJob(daemon.data.jobs);
  if (run) segs.push(daemon.connection === 'ready' ? `▶ ${run.job.id} s${sectionCounter(run)} ${jobPercent(run)}%` : `? ${run.job.id} unknown`);
  return segs;
}

/** Room a notice is given before the left part starts giving up segments. */
const NOTICE_MIN_CHARS = 40;

/**
 * The left segments that leave a notice its room: when `noticeChars` would not fit, the shared
 * queue a worker serves goes first (the Daemon panel still names it), then the memory gauge, then the provider (`daemon status` and the Models view still say both); the
 * connection state and the running job always stay.
 */
export function fitSegments(segs: string[], width: number, noticeChars: number): string[] {
  const want = Math.min(noticeChars, NOTICE_MIN_CHARS);
  const room = (xs: string[]) => width - xs.join(' │ ').length - 3;
  let out = segs;
  for (const droppable of [(x: string) => x.startsWith('worker of '), (x: string) => /^(VRAM|RAM|daemon RAM) /.test(x), (x: string) => x.startsWith('on ')]) {
    if (want === 0 || room(out) >= want) break;
    out = out.filter((x, i) => i === 0 || !droppable(x));
  }
  return out;
}

/** `row`: the screen row it is drawn on (for clicks on its key hints). */
export function StatusBar({ width, row = -1 }: { width: number; row?: number }) {
  const daemon = useDaemon();
  const layout = useLayout();
  const pendingNotice = currentNotice(layout.notice, daemon.data.jobs)?.text ?? '';
  const segs = fitSegments(statusSegments(daemon), width, pendingNotice.length);
  const left = segs.join(' │ ');
  // The notice matters more than the key hint: the hint gives way first when space is short.
  const free = Math.max(0, width - left.length - 3);
  const fullHint = '^P commands  ? help';
  const shownNotice = currentNotice(layout.notice, daemon.data.jobs);
  const noticeText = shownNotice?.text ?? '';
  const hint = noticeText.length + fullHint.length + 2 <= free ? fullHint : noticeText ? '' : truncate(fullHint, free);
  const notice = noticeText ? truncate(noticeText, Math.max(0, free - (hint ? hint.length + 2 : 0))) : '';
  // The hint is a pair of buttons: `^P commands` opens the palette, `? help` the key table.
  const layoutDispatch = useLayoutDispatch();
  useMouse((e) => {
    if (e.kind !== 'press' || e.y !== row || layout.overlay !== null) return;
    const hit = statusHintAt(e.x, width, hint);
    if (hit) layoutDispatch({ type: 'openOverlay', overlay: hit });
  });
  return (
    <Box width={width} height={1} flexShrink={0}>
      <Text color={CONNECTION_COLOR[daemon.connection]}>{truncate(segs[0]!, width)}</Text>
      <Text>{truncate(segs.length > 1 ? ` │ ${segs.slice(1).join(' │ ')}` : '', Math.max(0, width - segs[0]!.length))}</Text>
      <Box flexGrow={1} justifyContent="flex-end">
        {notice ? <Text color={NOTICE_COLOR[shownNotice!.level]}>{notice}  </Text> : null}
        {hint ? <Text color={colors.text.muted}>{hint}</Text> : null}
      </Box>
    </Box>
  );
}

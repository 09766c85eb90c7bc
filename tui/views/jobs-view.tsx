// Side-bar list of jobs, two rows each: state glyph and prompt, then the image's name with the
// section counter ("2/5") and percent or the state word; counters per state in the header line.
// Running first, then queued, then finished newest first.
import path from 'node:path';
import { Box, Text } from 'ink';
import { jobSourcePath } from '../../shared/domain/job.js';
import { filterJobs, jobList, jobPercent, sectionCounter, shownState, type JobsState, type JobView, type ShownState } from '../daemon/jobs-store.js';
import { colors, JOB_STATE_COLOR, JOB_STATE_GLYPH } from '../theme/semantic-colors.js';
import { pad, truncate, windowRange } from '../components/text-utils.js';

/** The state and progress part of a row: "1/2 62%", "#1 queued", "2/2 done", "failed", "0/4 unknown". */
export function jobTail(v: JobView, daemonAnswers = true): string {
  const j = v.job;
  const state = shownState(j, daemonAnswers);
  if (state === 'unknown') return `${sectionCounter(v)} unknown`;
  if (j.state === 'running') return `${sectionCounter(v)} ${jobPercent(v)}%`;
  if (j.state === 'queued') return `#${(j.position ?? 0) + 1} queued`;
  if (j.state === 'succeeded') return `${sectionCounter(v)} done`;
  return j.state;
}

/**
 * A job as two rows (issue 16 item 11: by what it is, not by its id, which the job view shows):
 * the state glyph and the prompt, then the image's file name with the state and progress at the right.
 */
export function jobRowText(v: JobView, width: number, daemonAnswers = true): [string, string] {
  const j = v.job;
  const state = shownState(j, daemonAnswers);
  const prompt = j.spec.prompt.replace(/\s+/g, ' ').trim() || '(no prompt)';
  const tail = jobTail(v, daemonAnswers);
  const room = Math.max(1, width - tail.length - 1);
  return [truncate(`${JOB_STATE_GLYPH[state]} ${prompt}`, width), `${pad(truncate(`  ${path.basename(jobSourcePath(j.spec))}`, room), room)} ${tail}`];
}

export function JobsView({ jobs, filter = '', selected, width, height, focused, daemonAnswers = true }: { jobs: JobsState; filter?: string; selected: number; width: number; height: number; focused: boolean; daemonAnswers?: boolean }) {
  const list = filterJobs(jobList(jobs), filter);
  const count = (s: ShownState) => list.filter((v) => shownState(v.job, daemonAnswers) === s).length;
  const live = daemonAnswers ? `${JOB_STATE_GLYPH.running}${count('running')}` : `${JOB_STATE_GLYPH.unknown}${count('unknown')}`;
  const header = `${live} ${JOB_STATE_GLYPH.queued}${count('queued')} ${JOB_STATE_GLYPH.succeeded}${count('succeeded')} ${JOB_STATE_GLYPH.failed}${count('failed')}${jobs.queue?.paused ? ' ⏸ paused' : ''}`;
  const [start, end] = windowRange(list.length, selected, Math.max(1, Math.floor((height - 1) / 2)));
  return (
    <Box flexDirection="column">
      <Text color={colors.text.muted}>{truncate(header, width)}</Text>
      {list.length === 0 ? <Text color={colors.text.muted}>{truncate(filter ? `no job matches /${filter} (Esc clears)` : 'No jobs yet: n = new job', width)}</Text> : null}
      {list.slice(start, end).map((v, i) => {
        const index = start + i;
        const isSel = index === selected;
        const [top, bottom] = jobRowText(v, width, daemonAnswers);
        const color = isSel && focused ? undefined : JOB_STATE_COLOR[shownState(v.job, daemonAnswers)];
        return (
          <Box key={v.job.id} flexDirection="column">
            <Text inverse={isSel && focused} bold={isSel} color={color}>{pad(top, width)}</Text>
            <Text inverse={isSel && focused} color={isSel && focused ? undefined : colors.text.muted}>{bottom}</Text>
          </Box>
        );
      })}
    </Box>
  );
}

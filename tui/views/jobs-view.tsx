// Side-bar list of jobs: state glyph, id, section counter ("2/5") and percent or state word, with
// counters per state in the header line. Running first, then queued, then finished newest first.
import { Box, Text } from 'ink';
import { jobList, jobPercent, sectionCounter, shownState, type JobsState, type JobView, type ShownState } from '../daemon/jobs-store.js';
import { colors, JOB_STATE_COLOR, JOB_STATE_GLYPH } from '../theme/semantic-colors.js';
import { pad, truncate, windowRange } from '../components/text-utils.js';

export function jobRowText(v: JobView, width: number, daemonAnswers = true): string {
  const j = v.job;
  const state = shownState(j, daemonAnswers);
  const tail = state === 'unknown' ? `${sectionCounter(v)} unknown` : j.state === 'running' ? `${sectionCounter(v)} ${jobPercent(v)}%` : j.state === 'queued' ? `#${(j.position ?? 0) + 1}` : j.state === 'succeeded' ? `${sectionCounter(v)} done` : j.state;
  const head = `${JOB_STATE_GLYPH[state]} ${j.id}`;
  const room = width - tail.length - 1;
  return `${pad(truncate(head, room), room)} ${tail}`;
}

export function JobsView({ jobs, selected, width, height, focused, daemonAnswers = true }: { jobs: JobsState; selected: number; width: number; height: number; focused: boolean; daemonAnswers?: boolean }) {
  const list = jobList(jobs);
  const count = (s: ShownState) => list.filter((v) => shownState(v.job, daemonAnswers) === s).length;
  const live = daemonAnswers ? `${JOB_STATE_GLYPH.running}${count('running')}` : `${JOB_STATE_GLYPH.unknown}${count('unknown')}`;
  const header = `${live} ${JOB_STATE_GLYPH.queued}${count('queued')} ${JOB_STATE_GLYPH.succeeded}${count('succeeded')} ${JOB_STATE_GLYPH.failed}${count('failed')}${jobs.queue?.paused ? ' ⏸ paused' : ''}`;
  const [start, end] = windowRange(list.length, selected, Math.max(1, height - 1));
  return (
    <Box flexDirection="column">
      <Text color={colors.text.muted}>{truncate(header, width)}</Text>
      {list.length === 0 ? <Text color={colors.text.muted}>{truncate('No jobs yet: n = new job', width)}</Text> : null}
      {list.slice(start, end).map((v, i) => {
        const index = start + i;
        const isSel = index === selected;
        return (
          <Text key={v.job.id} inverse={isSel && focused} bold={isSel} color={isSel && focused ? undefined : JOB_STATE_COLOR[shownState(v.job, daemonAnswers)]}>
            {jobRowText(v, width, daemonAnswers)}
          </Text>
        );
      })}
    </Box>
  );
}

// Side-bar list of jobs: state glyph, id, section counter ("2/5") and percent or state word, with
// counters per state in the header line. Running first, then queued, then finished newest first.
import { Box, Text } from 'ink';
import { jobList, jobPercent, sectionCounter, type JobsState, type JobView } from '../daemon/jobs-store.js';
import { colors, JOB_STATE_COLOR, JOB_STATE_GLYPH } from '../theme/semantic-colors.js';
import { pad, truncate, windowRange } from '../components/text-utils.js';

export function jobRowText(v: JobView, width: number): string {
  const j = v.job;
  const tail = j.state === 'running' ? `${sectionCounter(v)} ${jobPercent(v)}%` : j.state === 'queued' ? `#${(j.position ?? 0) + 1}` : j.state === 'succeeded' ? `${sectionCounter(v)} done` : j.state;
  const head = `${JOB_STATE_GLYPH[j.state]} ${j.id}`;
  const room = width - tail.length - 1;
  return `${pad(truncate(head, room), room)} ${tail}`;
}

export function JobsView({ jobs, selected, width, height, focused }: { jobs: JobsState; selected: number; width: number; height: number; focused: boolean }) {
  const list = jobList(jobs);
  const count = (s: JobView['job']['state']) => list.filter((v) => v.job.state === s).length;
  const header = `${JOB_STATE_GLYPH.running}${count('running')} ${JOB_STATE_GLYPH.queued}${count('queued')} ${JOB_STATE_GLYPH.succeeded}${count('succeeded')} ${JOB_STATE_GLYPH.failed}${count('failed')}${jobs.queue?.paused ? ' ⏸ paused' : ''}`;
  const [start, end] = windowRange(list.length, selected, Math.max(1, height - 1));
  return (
    <Box flexDirection="column">
      <Text color={colors.text.muted}>{truncate(header, width)}</Text>
      {list.length === 0 ? <Text color={colors.text.muted}>{truncate('No jobs yet: n = new job', width)}</Text> : null}
      {list.slice(start, end).map((v, i) => {
        const index = start + i;
        const isSel = index === selected;
        return (
          <Text key={v.job.id} inverse={isSel && focused} bold={isSel} color={isSel && focused ? undefined : JOB_STATE_COLOR[v.job.state]}>
            {jobRowText(v, width)}
          </Text>
        );
      })}
    </Box>
  );
}

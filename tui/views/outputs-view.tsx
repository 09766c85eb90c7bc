// Side-bar list of finished videos (newest first), two rows each: the prompt, then the file name
// with its length and seed. Enter (or o) opens the video in the player (issue 16 item 11); the
// job itself is one Tab away in the Jobs view.
import path from 'node:path';
import { Box, Text } from 'ink';
import { filterJobs, outputList, type JobsState, type JobView } from '../daemon/jobs-store.js';
import { colors } from '../theme/semantic-colors.js';
import { pad, truncate, windowRange } from '../components/text-utils.js';

export function outputRowText(v: JobView, width: number): [string, string] {
  const prompt = v.job.spec.prompt.replace(/\s+/g, ' ').trim() || '(no prompt)';
  const tail = `${v.job.spec.seconds}s · seed ${v.job.spec.seed}`;
  const room = Math.max(1, width - tail.length - 1);
  return [truncate(`▣ ${prompt}`, width), `${pad(truncate(`  ${path.basename(v.job.outputPath!)}`, room), room)} ${tail}`];
}

export function OutputsView({ jobs, filter = '', selected, width, height, focused }: { jobs: JobsState; filter?: string; selected: number; width: number; height: number; focused: boolean }) {
  const list = filterJobs(outputList(jobs), filter);
  if (list.length === 0) return <Text color={colors.text.muted}>{truncate(filter ? `no video matches /${filter} (Esc clears)` : 'No finished videos yet', width)}</Text>;
  const [start, end] = windowRange(list.length, selected, Math.max(1, Math.floor(height / 2)));
  return (
    <Box flexDirection="column">
      {list.slice(start, end).map((v, i) => {
        const isSel = start + i === selected;
        const [top, bottom] = outputRowText(v, width);
        return (
          <Box key={v.job.id} flexDirection="column">
            <Text inverse={isSel && focused} bold={isSel}>{pad(top, width)}</Text>
            <Text inverse={isSel && focused} color={isSel && focused ? undefined : colors.text.muted}>{bottom}</Text>
          </Box>
        );
      })}
    </Box>
  );
}

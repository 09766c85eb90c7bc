// Side-bar list of finished videos (newest first); Enter shows the job, o opens it in the player.
import path from 'node:path';
import { Box, Text } from 'ink';
import { outputList, type JobsState } from '../daemon/jobs-store.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate, windowRange } from '../components/text-utils.js';

export function OutputsView({ jobs, selected, width, height, focused }: { jobs: JobsState; selected: number; width: number; height: number; focused: boolean }) {
  const list = outputList(jobs);
  if (list.length === 0) return <Text color={colors.text.muted}>{truncate('No finished videos yet', width)}</Text>;
  const [start, end] = windowRange(list.length, selected, height);
  return (
    <Box flexDirection="column">
      {list.slice(start, end).map((v, i) => {
        const isSel = start + i === selected;
        return (
          <Text key={v.job.id} inverse={isSel && focused} bold={isSel}>
            {truncate(`▣ ${path.basename(v.job.outputPath!)}  ${v.job.spec.seconds}s seed ${v.job.spec.seed}`, width)}
          </Text>
        );
      })}
    </Box>
  );
}

// The newest preview frames as truecolor half blocks ("▀": foreground = upper pixel, background =
// lower pixel). Re-read only when the daemon announces a new preview.
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { PreviewRef } from '../daemon/jobs-store.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate } from '../components/text-utils.js';
import { loadPreview, toHalfBlocks } from './preview-image.js';

export function Preview({ preview, width, height }: { preview: PreviewRef | null; width: number; height: number }) {
  const loaded = useMemo(() => (preview ? loadPreview(preview.path) : null), [preview]);
  if (height <= 0) return null;
  if (!preview || !loaded) return <Text color={colors.text.muted}>{truncate('preview: none yet', width)}</Text>;
  if (loaded.kind === 'none') return <Text color={colors.text.muted}>{truncate(`preview (section ${preview.section + 1}): ${loaded.reason}`, width)}</Text>;
  const cells = toHalfBlocks(loaded.image, width, height - 1);
  return (
    <Box flexDirection="column">
      <Text color={colors.text.muted}>{truncate(`preview · section ${preview.section + 1} · ${loaded.image.width}×${loaded.image.height}`, width)}</Text>
      {cells.map((row, y) => (
        <Text key={y}>
          {row.map((c, x) => (
            <Text key={x} color={c.fg} backgroundColor={c.bg}>
              ▀
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

// The job view's pictures (issue 16 item 10): the newest decoded section frame, large, in the rows the
// job's text leaves free, and the per-step latent strip below it. Truecolor half blocks ("▀":
// foreground = upper pixel, background = lower pixel); terminals with fewer colours get Ink's
// (chalk's) nearest 256/16-colour match; NO_COLOR gets a brightness ramp of ASCII characters.
// Files are re-read only when the daemon announces a new one.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { PreviewRef } from '../daemon/jobs-store.js';
import { colors } from '../theme/semantic-colors.js';
import { truncate } from '../components/text-utils.js';
import { colourAllowed, loadPreview, previewRows, toAscii, toHalfBlocks } from './preview-image.js';

export function Preview({ frame, latent, width, height }: { frame: PreviewRef | null; latent: PreviewRef | null; width: number; height: number }) {
  const frameImg = useMemo(() => (frame ? loadPreview(frame.path) : null), [frame]);
  const latentImg = useMemo(() => (latent ? loadPreview(latent.path) : null), [latent]);
  if (height <= 0) return null;
  if (!frame && !latent) return <Text color={colors.text.muted}>{truncate('preview: none yet', width)}</Text>;
  const rows = previewRows(height, frameImg?.kind === 'image', latentImg === null ? null : latentImg.kind === 'image' ? 'image' : 'note');
  return (
    <Box flexDirection="column">
      {frame && frameImg && rows.frameRows > 0 ? <Picture title={`frame · section ${frame.section + 1}`} load={frameImg} width={width} height={rows.frameRows} /> : null}
      {latent && latentImg && rows.latentRows > 0 ? <Picture title={`latent · section ${latent.section + 1}`} load={latentImg} width={width} height={rows.latentRows} /> : null}
    </Box>
  );
}

// memo: a picture is thousands of cells; step events re-render the job view several times a second.
const Picture = memo(function Picture({ title, load, width, height }: { title: string; load: ReturnType<typeof loadPreview>; width: number; height: number }) {
  if (load.kind === 'none') return <Text color={colors.text.muted}>{truncate(`${title}: ${load.reason}`, width)}</Text>;
  const cells = toHalfBlocks(load.image, width, height - 1);
  const caption = <Text color={colors.text.muted}>{truncate(`${title} · ${load.image.width}×${load.image.height} → ${cells[0]?.length ?? 0}×${cells.length} cells`, width)}</Text>;
  if (!colourAllowed()) {
    return (
      <Box flexDirection="column">
        {caption}
        {toAscii(cells).map((line, y) => <Text key={y}>{line}</Text>)}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      {caption}
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
});

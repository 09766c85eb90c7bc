// The editor area: the palette or help when open, else the open editor (new-job form, a job, or a
// welcome page that says how to start).
import { Box, Text } from 'ink';
import { useDaemon } from '../daemon/daemon-context.js';
import { CommandPalette } from '../commands/command-palette.js';
import { HelpOverlay } from '../commands/help-overlay.js';
import { colors, focusBorderStyle } from '../theme/semantic-colors.js';
import { JobEditor } from '../views/job-editor.js';
import { NewJobForm } from '../views/new-job-form.js';
import type { ListDir } from '../views/path-completion.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { useLayout, useLayoutDispatch } from './layout-context.js';
import { Part } from './parts.js';
import { inBox } from '../mouse/hit.js';
import { useMouse } from '../mouse/mouse-context.js';

/** `top`/`left`: the area's top-left cell on the screen (for mouse clicks). */
export function EditorArea({ width, height, listDir, top = 0, left = 0 }: { width: number; height: number; listDir?: ListDir; top?: number; left?: number }) {
  const layout = useLayout();
  const daemon = useDaemon();
  const dispatch = useLayoutDispatch();
  const focused = layout.focus === Part.editor && layout.overlay === null;
  // Esc leaves a job view for the side bar (the form handles its own Esc first).
  useKeypress(
    (e) => {
      if (e.chord !== 'escape') return false;
      dispatch({ type: 'focus', part: Part.sideBar });
      return true;
    },
    { priority: KeyPriority.part, isActive: focused },
  );
  // A click anywhere in the editor gives it the keyboard focus (the form also acts on its rows).
  useMouse((e) => {
    if (e.kind === 'press' && layout.overlay === null && !focused && inBox(e, { x: left, y: top, width, height })) dispatch({ type: 'focus', part: Part.editor });
  });
  const inner = width - 2;
  const rows = height - 2;
  let body;
  if (layout.overlay === 'palette') body = <CommandPalette width={inner} height={rows} />;
  else if (layout.overlay === 'help') body = <HelpOverlay width={inner} height={rows} />;
  else if (layout.editor.kind === 'new-job') body = <NewJobForm key={layout.editor.nonce} from={layout.editor.from} width={inner} height={rows} focused={focused} origin={{ x: left + 1, y: top + 1 }} {...(listDir ? { listDir } : {})} />;
  else if (layout.editor.kind === 'job') {
    const v = daemon.data.jobs.jobs[layout.editor.jobId];
    body = v ? <JobEditor view={v} width={inner} height={rows} daemonAnswers={daemon.connection === 'ready'} /> : <Text color={colors.text.muted}>job {layout.editor.jobId} is no longer listed by the daemon</Text>;
  } else body = <Welcome />;
  const active = focused || layout.overlay !== null;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={focusBorderStyle(active)} borderColor={active ? colors.border.focused : colors.border.normal} overflow="hidden">
      {body}
    </Box>
  );
}

function Welcome() {
  return (
    <Box flexDirection="column">
      <Text bold>FramePack</Text>
      <Text>n        new job (image + prompt → video)</Text>
      <Text>Ctrl+P   all commands (also F1)</Text>
      <Text>?        keys and help</Text>
      <Text>1–5      Jobs, Models, Outputs, Diagnostics, Settings</Text>
      <Text>Tab      move focus: side bar → editor → panel</Text>
      <Text>q        quit (the daemon and its jobs keep running)</Text>
    </Box>
  );
}

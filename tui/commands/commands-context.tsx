// The registry plus a way to run a command with the current context; the global keybinding
// handler (lowest priority) maps chords to command ids through the same path as the palette.
import { createContext, useContext, useMemo, useRef, type ReactNode } from 'react';
import { useDaemon, useDaemonActions } from '../daemon/daemon-context.js';
import { KeyPriority, useKeypress } from '../keys/keypress-context.js';
import { useLayout, useLayoutDispatch } from '../workbench/layout-context.js';
import { useServices } from '../workbench/services-context.js';
import { createRegistry } from './builtin-commands.js';
import { resolveSelection, type CommandContext } from './command-context.js';
import type { CommandRegistry } from './command-registry.js';

interface CommandsApi {
  registry: CommandRegistry<CommandContext>;
  /** The context as of the latest render. */
  context: () => CommandContext;
  run: (id: string) => Promise<boolean>;
}

const CommandsContext = createContext<CommandsApi | null>(null);

export function CommandsProvider({ children }: { children: ReactNode }) {
  const layout = useLayout();
  const dispatch = useLayoutDispatch();
  const daemon = useDaemon();
  const actions = useDaemonActions();
  const services = useServices();
  const registry = useMemo(() => createRegistry(), []);
  const latest = useRef<CommandContext | null>(null);
  latest.current = {
    layout, dispatch, daemon, actions, services,
    notify: (text, level = 'info') => dispatch({ type: 'notify', notice: { text, level } }),
    ...resolveSelection(layout, daemon),
  };
  const api = useMemo<CommandsApi>(
    () => ({
      registry,
      context: () => latest.current!,
      run: (id) => registry.execute(id, latest.current!),
    }),
    [registry],
  );
  return <CommandsContext.Provider value={api}>{children}</CommandsContext.Provider>;
}

export function useCommands(): CommandsApi {
  const v = useContext(CommandsContext);
  if (!v) throw new Error('useCommands must be used inside <CommandsProvider>');
  return v;
}

/** Chord → command for whatever no part, form or overlay consumed. */
export function useGlobalKeybindings(): void {
  const { run, registry, context } = useCommands();
  const { bindings } = useServices();
  useKeypress(
    (e) => {
      const id = bindings[e.chord];
      if (!id) return false;
      const cmd = registry.get(id);
      if (!cmd) return false;
      if (cmd.when && !cmd.when(context())) {
        context().notify(`${cmd.title}: not available here`, 'warn');
        return true;
      }
      void run(id);
      return true;
    },
    { priority: KeyPriority.global },
  );
}

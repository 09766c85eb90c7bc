// The provider stack around the workbench: keys (sole stdin owner) → services → daemon → layout →
// commands. Each concern has its own context; nothing here owns state itself.
import type { ReactNode } from 'react';
import type { RpcClient } from '../shared/ipc/rpc-client.js';
import { CommandsProvider } from './commands/commands-context.js';
import { DaemonProvider } from './daemon/daemon-context.js';
import { KeypressProvider } from './keys/keypress-context.js';
import { MouseProvider, type MouseSource } from './mouse/mouse-context.js';
import type { ListDir } from './views/path-completion.js';
import { LayoutProvider } from './workbench/layout-context.js';
import type { LayoutState } from './workbench/layout-state.js';
import { ServicesProvider, type ServicesDeps } from './workbench/services-context.js';
import { Workbench } from './workbench/workbench.js';

export interface AppProps {
  client: RpcClient;
  services: ServicesDeps;
  /** Fixed size (tests); absent = the terminal's. */
  size?: { columns: number; rows: number };
  initialLayout?: Partial<LayoutState>;
  listDir?: ListDir;
  reconnectDelayMs?: number;
  log?: (message: string) => void;
  /** Why the first connection failed (the banner shows it at once). */
  initialDown?: string;
  children?: ReactNode;
  /** Mouse events from the terminal (main.tsx turns tracking on); absent = no mouse. */
  mouse?: MouseSource;
}

export function App({ client, services, size, initialLayout, listDir, reconnectDelayMs, log, initialDown, mouse }: AppProps) {
  return (
    <KeypressProvider>
    <MouseProvider source={mouse}>
      <ServicesProvider deps={services}>
        <DaemonProvider client={client} {...(reconnectDelayMs !== undefined ? { reconnectDelayMs } : {})} {...(log ? { log } : {})} {...(initialDown ? { initialDown } : {})}>
          <LayoutProvider {...(initialLayout ? { initial: initialLayout } : {})}>
            <CommandsProvider>
              <Workbench {...(size ? { size } : {})} {...(listDir ? { listDir } : {})} />
            </CommandsProvider>
          </LayoutProvider>
        </DaemonProvider>
      </ServicesProvider>
    </MouseProvider>
    </KeypressProvider>
  );
}

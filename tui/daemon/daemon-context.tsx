// The daemon as React state (STYLE.md §3.2): one RpcClient, one subscription to every topic feeding
// the dashboard store, the connection state the status bar shows (connecting / ready / reconnecting
// / incompatible), and a reconnect loop: when the daemon restarts, the client reconnects and the
// subscription resumes (a new daemon instance answers with a fresh snapshot).
import { createContext, useContext, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import type { CallableMethod, RpcClient, Subscription } from '../../shared/ipc/rpc-client.js';
import type { HelloResult, ParamsInput, Result } from '../../shared/protocol/index.js';
import { dashboardReducer, initialDashboard, type DashboardAction, type DashboardData } from './dashboard-store.js';

export type DaemonConnection = 'connecting' | 'ready' | 'reconnecting' | 'incompatible' | 'closed';

export interface DaemonState {
  connection: DaemonConnection;
  hello: HelloResult | null;
  data: DashboardData;
  /** Reconnect attempts since the connection dropped. */
  attempts: number;
}

export interface DaemonActions {
  call<M extends CallableMethod>(method: M, params: ParamsInput<M>): Promise<Result<M>>;
  dispatch(action: DashboardAction): void;
}

const StateContext = createContext<DaemonState | null>(null);
const ActionsContext = createContext<DaemonActions | null>(null);

export interface DaemonProviderProps {
  client: RpcClient;
  children: ReactNode;
  /** Wait between reconnect attempts. */
  reconnectDelayMs?: number;
  /** How often daemon.status (uptime, clients) is refreshed. */
  statusPollMs?: number;
  log?: (message: string) => void;
}

function nowIso(): string {
  return new Date().toISOString();
}

export function DaemonProvider({ client, children, reconnectDelayMs = 500, statusPollMs = 5_000, log }: DaemonProviderProps) {
  const [data, dispatch] = useReducer(dashboardReducer, initialDashboard);
  const [connection, setConnection] = useState<DaemonConnection>(client.state === 'ready' ? 'ready' : 'connecting');
  const [hello, setHello] = useState<HelloResult | null>(client.hello);
  const [attempts, setAttempts] = useState(0);
  const subscription = useRef<Subscription | null>(null);

  useEffect(() => {
    let disposed = false;
    let timer: NodeJS.Timeout | undefined;
    let wasReady = client.state === 'ready';
    const local = (level: 'info' | 'warn' | 'error', message: string) => {
      log?.(message);
      dispatch({ type: 'localLog', line: { time: nowIso(), level, scope: 'tui', message } });
    };
    const refreshStatus = () => {
      if (client.state !== 'ready') return;
      client.call('daemon.status', {}).then((status) => !disposed && dispatch({ type: 'status', status }), () => {});
    };
    const subscribe = async () => {
      if (subscription.current) return;
      subscription.current = await client.subscribe({}, {
        onSnapshot: (snapshot) => dispatch({ type: 'snapshot', snapshot }),
        onEvent: (event) => dispatch({ type: 'event', event }),
      });
    };
    const start = async () => {
      try {
        if (client.state !== 'ready') await client.connect();
        if (disposed) return;
        setHello(client.hello);
        await subscribe();
        setConnection('ready');
        refreshStatus();
      } catch (err: unknown) {
        if (disposed) return;
        local('error', `could not connect: ${(err as Error).message}`);
        if (client.state === 'incompatible') setConnection('incompatible');
        else scheduleReconnect();
      }
    };
    const scheduleReconnect = () => {
      if (disposed || timer) return;
      setConnection('reconnecting');
      timer = setTimeout(async () => {
        timer = undefined;
        if (disposed) return;
        setAttempts((a) => a + 1);
        try {
          // reconnect() resumes existing subscriptions from their last seq (or a new snapshot).
          await client.reconnect();
          if (disposed) return;
          await subscribe();
          setHello(client.hello);
          setConnection('ready');
          setAttempts(0);
          local('info', `reconnected to the daemon (pid ${client.hello?.pid ?? '?'})`);
          refreshStatus();
        } catch {
          if (!disposed && client.state !== 'incompatible') scheduleReconnect();
          else if (!disposed) setConnection('incompatible');
        }
      }, reconnectDelayMs);
    };
    const stateSub = client.onStateChange((s) => {
      if (disposed) return;
      if (s === 'disconnected') {
        // Each failed reconnect attempt passes through 'disconnected' again: log the loss once.
        if (wasReady) local('warn', 'lost the connection to the daemon; reconnecting');
        wasReady = false;
        scheduleReconnect();
      } else if (s === 'incompatible') setConnection('incompatible');
      else if (s === 'closed') setConnection('closed');
      else if (s === 'ready') wasReady = true;
    });
    const problemSub = client.onProtocolError((problem) => local('error', `protocol problem: ${problem}`));
    const poll = setInterval(refreshStatus, statusPollMs);
    void start();
    return () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      clearInterval(poll);
      stateSub.dispose();
      problemSub.dispose();
    };
  }, [client, reconnectDelayMs, statusPollMs]);

  const state = useMemo<DaemonState>(() => ({ connection, hello, data, attempts }), [connection, hello, data, attempts]);
  const actions = useMemo<DaemonActions>(
    () => ({
      call: (method, params) => client.call(method, params),
      dispatch,
    }),
    [client],
  );
  return (
    <ActionsContext.Provider value={actions}>
      <StateContext.Provider value={state}>{children}</StateContext.Provider>
    </ActionsContext.Provider>
  );
}

export function useDaemon(): DaemonState {
  const v = useContext(StateContext);
  if (!v) throw new Error('useDaemon must be used inside <DaemonProvider>');
  return v;
}

export function useDaemonActions(): DaemonActions {
  const v = useContext(ActionsContext);
  if (!v) throw new Error('useDaemonActions must be used inside <DaemonProvider>');
  return v;
}

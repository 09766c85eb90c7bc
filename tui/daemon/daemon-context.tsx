// The daemon as React state (STYLE.md §3.2): one RpcClient, one subscription to every topic feeding
// the dashboard store, the connection state the status bar shows (connecting / ready / reconnecting
// / incompatible), and a reconnect loop: when the daemon restarts, the client reconnects and the
// subscription resumes (a new daemon instance answers with a fresh snapshot). When the daemon does
// not answer (killed, crashed, or it could not start) `down` carries the reason for the banner
// (daemon-down.ts) and restartDaemon() starts a new one; the loop keeps trying meanwhile, so a
// daemon started elsewhere (`framepack daemon start`) is picked up too. Nothing here exits.
import { createContext, useContext, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import type { CallableMethod, RpcClient, Subscription } from '../../shared/ipc/rpc-client.js';
import type { HelloResult, ParamsInput, Result } from '../../shared/protocol/index.js';
import { useServices } from '../workbench/services-context.js';
import { dashboardReducer, initialDashboard, type DashboardAction, type DashboardData } from './dashboard-store.js';

export type DaemonConnection = 'connecting' | 'ready' | 'reconnecting' | 'incompatible' | 'closed';

export interface DaemonState {
  connection: DaemonConnection;
  hello: HelloResult | null;
  data: DashboardData;
  /** Reconnect attempts since the connection dropped. */
  attempts: number;
  /** Why the daemon does not answer (banner text); null while connected or not yet known. */
  down: string | null;
  /** A restart asked for from the dashboard is under way. */
  restarting: boolean;
}

export interface DaemonActions {
  call<M extends CallableMethod>(method: M, params: ParamsInput<M>): Promise<Result<M>>;
  dispatch(action: DashboardAction): void;
  /** Start a daemon (when the dashboard may) and show its start failure in the banner. */
  restartDaemon(): void;
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
  /** The reason the first connection failed (the daemon could not start): the banner shows it at once. */
  initialDown?: string;
}

function nowIso(): string {
  return new Date().toISOString();
}

/** Job events after which components' leases and expiries have changed (see refreshModels). */
export const RESIDENCY_CHANGING_EVENTS: ReadonlySet<string> = new Set(['job.started', 'job.succeeded', 'job.failed', 'job.cancelled']);

export function DaemonProvider({ client, children, reconnectDelayMs = 500, statusPollMs = 5_000, log, initialDown }: DaemonProviderProps) {
  const services = useServices();
  const [data, dispatch] = useReducer(dashboardReducer, initialDashboard);
  const [connection, setConnection] = useState<DaemonConnection>(client.state === 'ready' ? 'ready' : 'connecting');
  const [hello, setHello] = useState<HelloResult | null>(client.hello);
  const [attempts, setAttempts] = useState(0);
  const [down, setDown] = useState<string | null>(initialDown ?? null);
  const [restarting, setRestarting] = useState(false);
  const subscription = useRef<Subscription | null>(null);
  // The last daemon we spoke to and when: the banner names it, and older start-failure notes are ignored.
  const lastPid = useRef<number | null>(client.hello?.pid ?? null);
  const lastReadyAtMs = useRef(Date.now());

  useEffect(() => {
    let disposed = false;
    let timer: NodeJS.Timeout | undefined;
    let wasReady = client.state === 'ready';
    const local = (level: 'info' | 'warn' | 'error', message: string) => {
      log?.(message);
      dispatch({ type: 'localLog', line: { time: nowIso(), level, scope: 'tui', message } });
    };
    const markDown = () => {
      if (disposed) return;
      const reason = services.describeDaemonDown?.(lastPid.current, lastReadyAtMs.current) ?? 'the daemon does not answer';
      setDown((prev) => {
        if (prev === null) local('error', reason);
        return prev ?? reason;
      });
    };
    const markReady = () => {
      lastPid.current = client.hello?.pid ?? null;
      lastReadyAtMs.current = Date.now();
      setDown(null);
    };
    // Leases and keep-alive expiries change without a model.* event (a job takes or returns its
    // components), so the Models view re-reads them when a job starts or ends and with the status
    // poll; else it kept showing `in use` / `now` while `framepack ps` said `4 minutes from now`.
    const refreshModels = () => {
      if (client.state !== 'ready') return;
      client.call('models.list', {}).then(({ models }) => !disposed && dispatch({ type: 'models', models }), () => {});
    };
    const refreshStatus = () => {
      if (client.state !== 'ready') return;
      client.call('daemon.status', {}).then((status) => !disposed && dispatch({ type: 'status', status }), () => {});
      refreshModels();
    };
    const subscribe = async () => {
      if (subscription.current) return;
      subscription.current = await client.subscribe({}, {
        onSnapshot: (snapshot) => dispatch({ type: 'snapshot', snapshot }),
        onEvent: (event) => {
          dispatch({ type: 'event', event });
          if (RESIDENCY_CHANGING_EVENTS.has(event.event)) refreshModels();
        },
      });
    };
    const start = async () => {
      try {
        if (client.state !== 'ready') await client.connect();
        if (disposed) return;
        setHello(client.hello);
        await subscribe();
        markReady();
        setConnection('ready');
        refreshStatus();
      } catch (err: unknown) {
        if (disposed) return;
        if (!initialDown) local('error', `could not connect: ${(err as Error).message}`);
        if (client.state === 'incompatible') setConnection('incompatible');
        else {
          markDown();
          scheduleReconnect();
        }
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
          markReady();
          setConnection('ready');
          setAttempts(0);
          local('info', `reconnected to the daemon (pid ${client.hello?.pid ?? '?'})`);
          refreshStatus();
        } catch {
          if (!disposed && client.state !== 'incompatible') {
            markDown();
            scheduleReconnect();
          }
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
    if (initialDown) local('error', initialDown);
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

  const state = useMemo<DaemonState>(() => ({ connection, hello, data, attempts, down, restarting }), [connection, hello, data, attempts, down, restarting]);
  const actions = useMemo<DaemonActions>(
    () => ({
      call: (method, params) => client.call(method, params),
      dispatch,
      restartDaemon: () => {
        if (!services.startDaemon) return;
        setRestarting(true);
        dispatch({ type: 'localLog', line: { time: nowIso(), level: 'info', scope: 'tui', message: 'starting the daemon…' } });
        services.startDaemon().then(
          // The reconnect loop connects to it within reconnectDelayMs.
          () => setRestarting(false),
          (err: unknown) => {
            const reason = (err as Error).message;
            log?.(reason);
            dispatch({ type: 'localLog', line: { time: nowIso(), level: 'error', scope: 'tui', message: reason } });
            setDown(reason);
            setRestarting(false);
          },
        );
      },
    }),
    [client, services],
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

// Things the dashboard does outside the daemon, injected at the top so tests replace them: the
// settings file, the player launcher, the fallback doctor runner, and exit. One context, read-mostly.
// The doctor's state lives here so every view shares one report; where it comes from (the daemon's
// daemon.doctor, or the child process for an old daemon) is decided by the caller (doctor-source.ts).
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DoctorReport } from '../daemon/doctor-runner.js';
import { mergeKeybindings } from '../keys/keybindings.js';
import type { Settings } from '../../shared/settings/user-settings.js';
import { resolvePlayer, type PlayerCommand, type TuiSettings } from '../settings/settings.js';
import type { UserSettingsStore } from '../settings/user-store.js';

export type DoctorRun = { state: 'idle' } | { state: 'running' } | { state: 'done'; report: DoctorReport; at: string } | { state: 'error'; error: string };

export interface ServicesDeps {
  /** tui.json: keybinding overrides (the dashboard's own). */
  settings: TuiSettings;
  /** config.json: the settings `framepack config` edits (player, outputDir, keepAlive, defaults.*…). */
  userStore: UserSettingsStore;
  settingsFile: string;
  settingsProblem: string | null;
  saveSettings: (settings: TuiSettings) => void;
  /** Open a file with the player (spawn detached). */
  openFile: (player: PlayerCommand, file: string) => Promise<void>;
  /** The child-process doctor, used only when the daemon has no daemon.doctor; absent = no fallback. */
  runDoctor?: () => Promise<DoctorReport>;
  /** Start a daemon and wait until it answers (the reconnect loop then finds it); rejects with the
   *  daemon's own start-failure reason. Absent = the dashboard never starts one (--no-start). */
  startDaemon?: () => Promise<void>;
  /** The banner's reason when the daemon does not answer (log tail, start-failure note); absent = a generic line. */
  describeDaemonDown?: (pid: number | null, sinceMs: number) => string;
  /** Leave the dashboard (exit code 0); the daemon carries on. */
  exit: (errorMessage?: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Shown in the Daemon panel and Settings. */
  paths: { socketFile: string; dataDir: string; daemonLogFile: string; tuiLogFile: string };
}

export interface Services extends ServicesDeps {
  /** config.json as last read. */
  user: Settings;
  userProblem: string | null;
  /** Read config.json again (a `framepack config set` since); returns what it holds now. */
  reloadUser: () => Settings;
  /** Set (text parsed as `framepack config set` does; '' removes the key): null, or the error naming the key. */
  setUserSetting: (key: string, value: unknown) => string | null;
  player: PlayerCommand;
  bindings: Record<string, string>;
  updateSettings: (patch: Partial<TuiSettings>) => void;
  doctor: DoctorRun;
  /** Show `run`'s report (running → done / error); a newer call supersedes an older one still running. */
  trackDoctor: (run: () => Promise<DoctorReport>) => void;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ deps, children }: { deps: ServicesDeps; children: ReactNode }) {
  const [settings, setSettings] = useState(deps.settings);
  const [userRead, setUserRead] = useState(() => deps.userStore.read());
  const reloadUser = useCallback(() => {
    const r = deps.userStore.read();
    setUserRead(r);
    return r.settings;
  }, [deps]);
  const setUserSetting = useCallback((key: string, value: unknown) => {
    try {
      deps.userStore.write(key, value);
    } catch (err: unknown) {
      return (err as Error).message;
    }
    setUserRead(deps.userStore.read());
    return null;
  }, [deps]);
  const [doctor, setDoctor] = useState<DoctorRun>({ state: 'idle' });
  const updateSettings = useCallback(
    (patch: Partial<TuiSettings>) => {
      setSettings((prev) => {
        const next = { ...prev, ...patch };
        deps.saveSettings(next);
        return next;
      });
    },
    [deps],
  );
  const generation = useRef(0);
  const trackDoctor = useCallback((run: () => Promise<DoctorReport>) => {
    const mine = ++generation.current;
    setDoctor({ state: 'running' });
    run().then(
      (report) => mine === generation.current && setDoctor({ state: 'done', report, at: report.ranAt ?? new Date().toISOString() }),
      (err: unknown) => mine === generation.current && setDoctor({ state: 'error', error: (err as Error).message }),
    );
  }, []);
  const value = useMemo<Services>(
    () => ({
      ...deps,
      settings,
      user: userRead.settings,
      userProblem: userRead.problem,
      reloadUser,
      setUserSetting,
      player: resolvePlayer(userRead.settings, deps.env),
      bindings: mergeKeybindings(settings.keybindings),
      updateSettings,
      doctor,
      trackDoctor,
    }),
    [deps, settings, userRead, reloadUser, setUserSetting, updateSettings, doctor, trackDoctor],
  );
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const v = useContext(ServicesContext);
  if (!v) throw new Error('useServices must be used inside <ServicesProvider>');
  return v;
}

// Things the dashboard does outside the daemon, injected at the top so tests replace them: the
// settings file, the player launcher, the fallback doctor runner, and exit. One context, read-mostly.
// The doctor's state lives here so every view shares one report; where it comes from (the daemon's
// daemon.doctor, or the child process for an old daemon) is decided by the caller (doctor-source.ts).
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DoctorReport } from '../daemon/doctor-runner.js';
import { mergeKeybindings } from '../keys/keybindings.js';
import { resolvePlayer, type PlayerCommand, type TuiSettings } from '../settings/settings.js';

export type DoctorRun = { state: 'idle' } | { state: 'running' } | { state: 'done'; report: DoctorReport; at: string } | { state: 'error'; error: string };

export interface ServicesDeps {
  settings: TuiSettings;
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
      player: resolvePlayer(settings, deps.env),
      bindings: mergeKeybindings(settings.keybindings),
      updateSettings,
      doctor,
      trackDoctor,
    }),
    [deps, settings, updateSettings, doctor, trackDoctor],
  );
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const v = useContext(ServicesContext);
  if (!v) throw new Error('useServices must be used inside <ServicesProvider>');
  return v;
}

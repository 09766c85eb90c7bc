// Fills the Problems panel and the Diagnostics view as soon as the dashboard is connected to a
// daemon that serves daemon.doctor: its cached start-up report, once per daemon instance (a
// restarted daemon ran its checks again). Older daemons are left alone until the user asks (d).
import { useEffect, useRef } from 'react';
import { useServices } from '../workbench/services-context.js';
import { useDaemon, useDaemonActions } from './daemon-context.js';
import { daemonHasDoctor, fetchDoctor } from './doctor-source.js';

export function useDoctorAutoload(): void {
  const { connection, hello } = useDaemon();
  const actions = useDaemonActions();
  const { trackDoctor } = useServices();
  const loadedFor = useRef<string | null>(null);
  useEffect(() => {
    if (connection !== 'ready' || !hello || !daemonHasDoctor(hello) || loadedFor.current === hello.instanceId) return;
    loadedFor.current = hello.instanceId;
    trackDoctor(() => fetchDoctor({ hello, refresh: false, call: (p) => actions.call('daemon.doctor', p) }));
  }, [connection, hello, actions, trackDoctor]);
}

// daemon.doctor: the doctor's checks as the daemon last ran them (at start, quick), or run again.
import type { Handlers } from '../../shared/ipc/rpc-server.js';
import type { DoctorService } from '../diagnostics/doctor-service.js';

export type DoctorHandlers = Pick<Handlers, 'daemon.doctor'>;

export function doctorHandlers(doctor: Pick<DoctorService, 'get'>): DoctorHandlers {
  return { 'daemon.doctor': ({ quick, refresh }) => doctor.get(quick, refresh) };
}

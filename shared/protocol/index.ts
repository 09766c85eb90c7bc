// The protocol's only import path for other layers: version, frames, errors, methods, events and the
// domain shapes they carry.
export * from './version.js';
export * from './errors.js';
export * from './envelope.js';
export * from './events.js';
export * from './methods.js';
export * from './plan.js';
export * from './doctor.js';
export * from './cluster.js';
export * from '../domain/job.js';
export * from '../domain/lora.js';
export * from '../domain/keep-alive.js';
export * from '../domain/model.js';
export * from '../domain/progress.js';

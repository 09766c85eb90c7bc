import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ClientFrame, EVENT_NAMES, events, isCompatible, METHOD_NAMES, methods, PROTOCOL_VERSION, RpcError, ServerFrame, WireError } from './index.js';

describe('protocol tables', () => {
  it('lists the methods the issue asks for', () => {
    expect(METHOD_NAMES.sort()).toEqual(
      ['cluster.cancel', 'cluster.jobs', 'cluster.submit', 'daemon.doctor', 'daemon.shutdown', 'daemon.status', 'hello', 'jobs.cancel', 'jobs.get', 'jobs.list', 'jobs.move', 'jobs.plan', 'jobs.remove', 'jobs.submit', 'models.list', 'models.load', 'models.unload', 'ps', 'queue.pause', 'queue.resume', 'subscribe', 'unsubscribe'].sort(),
    );
  });

  it('lists the events, each on a topic, with exactly three terminal job events', () => {
    expect(EVENT_NAMES).toEqual(expect.arrayContaining(['job.queued', 'job.started', 'stage', 'section.started', 'step', 'preview', 'section.done', 'job.succeeded', 'job.failed', 'job.cancelled', 'model.loaded', 'model.unloaded', 'telemetry', 'log']));
    for (const e of EVENT_NAMES) expect(['jobs', 'models', 'telemetry', 'logs']).toContain(events[e].topic);
  });

  it('every params and result schema converts to JSON Schema', () => {
    for (const m of METHOD_NAMES) {
      expect(() => z.toJSONSchema(methods[m].params, { io: 'input' }), m).not.toThrow();
      expect(() => z.toJSONSchema(methods[m].result, { io: 'output' }), m).not.toThrow();
    }
    for (const e of EVENT_NAMES) expect(() => z.toJSONSchema(events[e].payload, { io: 'output' }), e).not.toThrow();
  });

  it('params objects are strict and fill defaults', () => {
    expect(methods['jobs.cancel'].params.parse({ jobId: 'job-1' })).toEqual({ jobId: 'job-1', when: 'now' });
    expect(methods['jobs.cancel'].params.safeParse({ jobId: 'job-1', when: 'later' }).success).toBe(false);
    expect(methods['queue.resume'].params.safeParse({ extra: 1 }).success).toBe(false);
    expect(methods.hello.params.safeParse({ protocolVersion: 1 }).success).toBe(false);
    // jobs.move: a place is front, back or a 0-based position, nothing else.
    for (const to of ['front', 'back', 0, 7]) expect(methods['jobs.move'].params.safeParse({ jobId: 'j', to }).success, String(to)).toBe(true);
    for (const to of [-1, 1.5, 'top', null]) expect(methods['jobs.move'].params.safeParse({ jobId: 'j', to }).success, String(to)).toBe(false);
    expect(methods['jobs.remove'].params.safeParse({ jobId: 'j', force: true }).success).toBe(false);
  });

  it('jobs.plan params take only plan fields (strict); daemon.doctor defaults to the cached quick report', () => {
    expect(methods['jobs.plan'].params.parse({ image: '/a.png', seconds: 3 })).toEqual({ image: '/a.png', seconds: 3 });
    expect(methods['jobs.plan'].params.safeParse({ image: '/a.png', seed: 1 }).success).toBe(false);
    // The directing fields plan (a timestamped prompt's rows): additive since issue 17.
    expect(methods['jobs.plan'].params.safeParse({ image: '/a.png', prompt: '[0s: a] [1s: b]', promptBlend: 1 }).success).toBe(true);
    expect(methods['jobs.plan'].params.safeParse({ image: '/a.png', window: 0 }).success).toBe(false);
    expect(methods['daemon.doctor'].params.parse({})).toEqual({ quick: true, refresh: false });
    // An older daemon's status (no provider) still parses.
    expect(methods['daemon.status'].result.shape.provider.safeParse(undefined).success).toBe(true);
  });

  it('frames: a req, a cancel, a success, a failure with null id and an event parse; others do not', () => {
    expect(ClientFrame.safeParse({ type: 'req', data: { id: 1, method: 'ps' } }).success).toBe(true);
    expect(ClientFrame.safeParse({ type: 'req', data: { id: 'a', method: 'ps', params: {} } }).success).toBe(true);
    expect(ClientFrame.safeParse({ type: 'cancel', data: { id: 1 } }).success).toBe(true);
    for (const bad of [{ type: 'req', data: { method: 'ps' } }, { type: 'req', data: { id: -1, method: 'ps' } }, { type: 'req', data: { id: 1.5, method: 'ps' } }, { type: 'res', data: {} }, 'req', null]) {
      expect(ClientFrame.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(ServerFrame.safeParse({ type: 'res', data: { id: 1, ok: true, result: { x: 1 } } }).success).toBe(true);
    expect(ServerFrame.safeParse({ type: 'res', data: { id: null, ok: false, error: { code: 'INVALID_PARAMS', message: 'm', retryable: false } } }).success).toBe(true);
    expect(ServerFrame.safeParse({ type: 'res', data: { id: null, ok: true, result: 1 } }).success).toBe(false);
    expect(ServerFrame.safeParse({ type: 'evt', data: { sub: 's1', seq: 3, event: 'log', payload: {} } }).success).toBe(true);
  });

  it('errors round-trip through their wire form; local codes become INTERNAL', () => {
    const e = new RpcError('QUEUE_FULL', 'full', { detail: { limit: 3 } });
    expect(e.toWire()).toEqual({ code: 'QUEUE_FULL', message: 'full', retryable: true, detail: { limit: 3 } });
    expect(WireError.parse(e.toWire())).toEqual(e.toWire());
    expect(RpcError.fromWire(e.toWire())).toMatchObject({ code: 'QUEUE_FULL', retryable: true, detail: { limit: 3 } });
    expect(new RpcError('TIMEOUT', 't').toWire().code).toBe('INTERNAL');
  });

  it('only the same protocol version is compatible', () => {
    expect([isCompatible(PROTOCOL_VERSION), isCompatible(PROTOCOL_VERSION + 1), isCompatible(0)]).toEqual([true, false, false]);
  });
});

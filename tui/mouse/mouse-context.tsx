// Mouse events for components (the keys have KeypressContext; this is its pointer twin): each
// component subscribes with useMouse and checks whether the event falls in its own box (hit.ts).
// Events run in line with the keys (KeypressContext's sequence): a click that follows typed keys
// acts once those keys have been handled and drawn. Without a source (tests in-process, a terminal
// without the mouse) nothing is ever delivered.
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { EventEmitter } from 'node:events';
import { useInputSequence } from '../keys/keypress-context.js';
import type { MouseEvent } from './sgr-mouse.js';

export type MouseSource = EventEmitter<{ mouse: [MouseEvent] }>;

const MouseContext = createContext<MouseSource | null>(null);

/** Inside a KeypressProvider, so events can wait for the keys typed before them. */
export function MouseProvider({ source, children }: { source?: MouseSource | undefined; children: ReactNode }) {
  const sequence = useInputSequence();
  const relay = useMemo(() => (source ? new EventEmitter<{ mouse: [MouseEvent] }>() : null), [source]);
  useEffect(() => {
    if (!source || !relay) return;
    const on = (e: MouseEvent): void => {
      if (sequence) sequence(() => relay.emit('mouse', e));
      else relay.emit('mouse', e);
    };
    source.on('mouse', on);
    return () => {
      source.off('mouse', on);
    };
  }, [source, relay, sequence]);
  return <MouseContext.Provider value={relay}>{children}</MouseContext.Provider>;
}

/** Call `handler` for every mouse event while `isActive`; the latest closure is always used. */
export function useMouse(handler: (e: MouseEvent) => void, isActive = true): void {
  const source = useContext(MouseContext);
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!source || !isActive) return;
    const on = (e: MouseEvent): void => ref.current(e);
    source.on('mouse', on);
    return () => {
      source.off('mouse', on);
    };
  }, [source, isActive]);
}

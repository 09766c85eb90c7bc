// Mouse events for components (the keys have KeypressContext; this is its pointer twin): each
// component subscribes with useMouse and checks whether the event falls in its own box (hit.ts).
// Without a source (tests in-process, a terminal without the mouse) nothing is ever delivered.
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { EventEmitter } from 'node:events';
import type { MouseEvent } from './sgr-mouse.js';

export type MouseSource = EventEmitter<{ mouse: [MouseEvent] }>;

const MouseContext = createContext<MouseSource | null>(null);

export function MouseProvider({ source, children }: { source?: MouseSource | undefined; children: ReactNode }) {
  return <MouseContext.Provider value={source ?? null}>{children}</MouseContext.Provider>;
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

// The one stdin consumer (STYLE.md §3.3 conv. 13, gemini's KeypressContext): handlers subscribe
// with a priority (overlay > form > global); the highest runs first and returns true to consume
// the key. Raw mode is only requested when stdin supports it, so a non-TTY stdin (CI, pipes)
// never makes Ink exit with "Raw mode is not supported" (DEPS.md §6).
import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { EventEmitter } from 'node:events';
import { useInput, useStdin, type Key } from 'ink';
import { chordOf, F1_SEQUENCES, type Chord } from './keybindings.js';
import { NO_KEY, splitBurst } from './key-burst.js';

export const KeyPriority = { global: 0, part: 50, form: 100, overlay: 200 } as const;

export interface KeyEvent {
  input: string;
  key: Key;
  chord: Chord;
}

export type KeyHandler = (e: KeyEvent) => boolean;

interface Entry {
  handler: { current: KeyHandler };
  priority: number;
  order: number;
}

interface KeypressApi {
  subscribe(handler: { current: KeyHandler }, priority: number): () => void;
  /** Runs `fn` in line with the keys: after every key that arrived before it has been handled and rendered. */
  sequence(fn: () => void): void;
}

const KeypressContext = createContext<KeypressApi | null>(null);

export function KeypressProvider({ children }: { children: ReactNode }) {
  const entries = useRef<Entry[]>([]);
  const counter = useRef(0);
  const stdin = useStdin() as ReturnType<typeof useStdin> & { internal_eventEmitter?: EventEmitter };

  const dispatch = (e: KeyEvent): boolean => {
    // Highest priority first; within one priority the newest subscriber first (a stack).
    const ordered = [...entries.current].sort((a, b) => b.priority - a.priority || b.order - a.order);
    for (const entry of ordered) if (entry.handler.current(e)) return true;
    return false;
  };

  // Keys waiting for the state of the key before them to be rendered (key-burst.ts): handlers read
  // state from their last render, so a key runs only once the render after the previous key has
  // been committed (the tick below forces one even when a key changed nothing). Mouse events join
  // the same line (sequence()), so a click after typed text acts on the text's result.
  type Pending = { input: string; key: Key } | { run: () => void };
  const pending = useRef<Pending[]>([]);
  const draining = useRef(false);
  const awaitingCommit = useRef(false);
  const alive = useRef(true);
  const [, setTick] = useState(0);
  useLayoutEffect(() => {
    awaitingCommit.current = false;
  });
  useEffect(() => () => {
    alive.current = false;
    pending.current = [];
  }, []);
  const runOne = (item: Pending): void => {
    if ('run' in item) item.run();
    else if (!dispatch({ input: item.input, key: item.key, chord: chordOf(item.input, item.key) })) {
      const keys = splitBurst(item.input, item.key);
      if (keys) pending.current.unshift(...keys);
    }
    awaitingCommit.current = true;
    setTick((t) => t + 1);
  };
  const drain = (): void => {
    if (!alive.current) return;
    if (awaitingCommit.current) return void setImmediate(drain);
    const next = pending.current.shift();
    if (!next) {
      draining.current = false;
      return;
    }
    runOne(next);
    setImmediate(drain);
  };
  /** Run `item` now when nothing is waiting, else behind what is (in arrival order). */
  const enqueue = (item: Pending): void => {
    if (draining.current || awaitingCommit.current) {
      pending.current.push(item);
      if (!draining.current) {
        draining.current = true;
        setImmediate(drain);
      }
      return;
    }
    runOne(item);
    if (pending.current.length > 0) {
      draining.current = true;
      setImmediate(drain);
    }
  };

  useInput(
    (input, key) => {
      if (input === '' && !Object.entries(key).some(([k, v]) => v === true && k !== 'shift')) return; // F1 and other unmapped keys arrive empty
      enqueue({ input, key });
    },
    { isActive: stdin.isRawModeSupported },
  );

  // Function keys: Ink's Key has no f1 flag, so read the raw sequence from Ink's own input stream.
  useEffect(() => {
    const emitter = stdin.internal_eventEmitter;
    if (!emitter) return;
    const onRaw = (data: string): void => {
      if (F1_SEQUENCES.includes(data)) dispatch({ input: '', key: NO_KEY, chord: 'f1' });
    };
    emitter.on('input', onRaw);
    return () => {
      emitter.off('input', onRaw);
    };
  }, [stdin.internal_eventEmitter]);

  const api = useMemo<KeypressApi>(
    () => ({
      sequence(fn) {
        enqueue({ run: fn });
      },
      subscribe(handler, priority) {
        const entry = { handler, priority, order: counter.current++ };
        entries.current.push(entry);
        return () => {
          entries.current = entries.current.filter((e) => e !== entry);
        };
      },
    }),
    [],
  );
  return <KeypressContext.Provider value={api}>{children}</KeypressContext.Provider>;
}

/** Subscribe a handler while `isActive`; the latest handler closure is always used. */
export function useKeypress(handler: KeyHandler, options: { priority: number; isActive?: boolean }): void {
  const api = useContext(KeypressContext);
  if (!api) throw new Error('useKeypress must be used inside <KeypressProvider>');
  const ref = useRef(handler);
  ref.current = handler;
  const active = options.isActive ?? true;
  // A layout effect subscribes during the commit that shows the component, so a key typed right
  // after a palette appears cannot slip past it to the global handler.
  useLayoutEffect(() => {
    if (!active) return;
    return api.subscribe(ref, options.priority);
  }, [api, active, options.priority]);
}

/** The keys' line for other input (mouse events): null outside a KeypressProvider. */
export function useInputSequence(): ((fn: () => void) => void) | null {
  return useContext(KeypressContext)?.sequence ?? null;
}

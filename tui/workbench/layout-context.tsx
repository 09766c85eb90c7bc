// Layout state and its dispatcher as two contexts with throwing accessors (STYLE.md §3.3 conv. 11),
// so parts that only act (keys, commands) do not re-render on every layout change.
import { createContext, useContext, useReducer, type Dispatch, type ReactNode } from 'react';
import { initialLayout, layoutReducer, type LayoutAction, type LayoutState } from './layout-state.js';

const LayoutStateContext = createContext<LayoutState | null>(null);
const LayoutDispatchContext = createContext<Dispatch<LayoutAction> | null>(null);

export function LayoutProvider({ children, initial }: { children: ReactNode; initial?: Partial<LayoutState> }) {
  const [state, dispatch] = useReducer(layoutReducer, { ...initialLayout, ...initial });
  return (
    <LayoutDispatchContext.Provider value={dispatch}>
      <LayoutStateContext.Provider value={state}>{children}</LayoutStateContext.Provider>
    </LayoutDispatchContext.Provider>
  );
}

export function useLayout(): LayoutState {
  const v = useContext(LayoutStateContext);
  if (!v) throw new Error('useLayout must be used inside <LayoutProvider>');
  return v;
}

export function useLayoutDispatch(): Dispatch<LayoutAction> {
  const v = useContext(LayoutDispatchContext);
  if (!v) throw new Error('useLayoutDispatch must be used inside <LayoutProvider>');
  return v;
}

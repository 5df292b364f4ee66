// One loading / error / data state per panel, with a reload and an optional refresh interval.
// An answer that says the session is gone goes to the handler the app shell registers.
import { useCallback, useEffect, useRef, useState } from 'react';
import { codeOf, SESSION_LOST_CODES, wordsFor } from './error-words.js';

export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | { readonly state: 'ready'; readonly data: T; readonly refreshing: boolean; readonly refreshError: string | null };

let sessionLost: (() => void) | null = null;

export function setSessionLostHandler(handler: (() => void) | null): void {
  sessionLost = handler;
}

/** Call on every caught API error: returns the words to show, and ends the tab's session if it is gone. */
export function reportError(e: unknown): string {
  const code = codeOf(e);
  if (code !== null && SESSION_LOST_CODES.has(code)) sessionLost?.();
  return wordsFor(e);
}

/**
 * `load` runs on mount, on reload(), whenever `key` changes and every `everyMs` while mounted.
 * A refresh keeps the data on screen and reports its failure beside it.
 */
export function useLoad<T>(load: () => Promise<T>, key = '', everyMs?: number): { result: Loaded<T>; reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(() => setRound((r) => r + 1), []);
  const lastKey = useRef(key);

  useEffect(() => {
    let live = true;
    const fresh = lastKey.current !== key;
    lastKey.current = key;
    setResult((r) => (r.state === 'ready' && !fresh ? { ...r, refreshing: true } : { state: 'loading' }));
    loader.current().then(
      (data) => { if (live) setResult({ state: 'ready', data, refreshing: false, refreshError: null }); },
      (e: unknown) => {
        if (!live) return;
        const message = reportError(e);
        setResult((r) => (r.state === 'ready' && !fresh ? { ...r, refreshing: false, refreshError: message } : { state: 'error', message }));
      },
    );
    return () => { live = false; };
  }, [round, key]);

  useEffect(() => {
    if (everyMs === undefined) return undefined;
    const t = setInterval(() => { if (document.visibilityState === 'visible') setRound((r) => r + 1); }, everyMs);
    return () => clearInterval(t);
  }, [everyMs, key]);

  return { result, reload };
}

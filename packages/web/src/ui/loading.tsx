import type { ReactNode } from 'react';
import { Notice } from './notice.js';
import type { Loaded } from './use-load.js';

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

export function Loading({ label }: { readonly label: string }) {
  return <p className="loading" role="status"><Spinner /> {label}</p>;
}

/** Renders the loading and error states of a panel, and `children(data)` once it is ready. */
export function LoadedView<T>({ result, label, onRetry, children }: {
  readonly result: Loaded<T>;
  readonly label: string;
  readonly onRetry?: () => void;
  readonly children: (data: T) => ReactNode;
}) {
  if (result.state === 'loading') return <Loading label={label} />;
  if (result.state === 'error') {
    return (
      <div className="stack">
        <Notice kind="error">{result.message}</Notice>
        {onRetry !== undefined && <p><button type="button" className="secondary" onClick={onRetry}>Try again</button></p>}
      </div>
    );
  }
  return (
    <>
      {result.refreshError !== null && <Notice kind="error">Could not refresh: {result.refreshError}</Notice>}
      {children(result.data)}
    </>
  );
}

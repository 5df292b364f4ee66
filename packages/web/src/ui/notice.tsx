import type { ReactNode } from 'react';

export function Notice({ kind, children }: { readonly kind: 'error' | 'info' | 'success' | 'warning'; readonly children: ReactNode }) {
  return <p className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>{children}</p>;
}

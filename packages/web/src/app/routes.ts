// The signed-in screens, addressed by the URL's hash (#/portfolio), so the back button and
// bookmarks work without the server knowing the app's routes.
import { useEffect, useState } from 'react';

export const ROUTES = ['portfolio', 'trade', 'exchanges', 'security'] as const;
export type Route = (typeof ROUTES)[number];

export const ROUTE_LABELS: Readonly<Record<Route, string>> = { portfolio: 'Portfolio', trade: 'Trade', exchanges: 'Exchanges', security: 'Security' };

export function parseRoute(hash: string): Route | null {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? name as Route : null;
}

export function useRoute(): [Route | null, (r: Route) => void] {
  const [route, setRoute] = useState<Route | null>(() => parseRoute(globalThis.location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(globalThis.location.hash));
    globalThis.addEventListener('hashchange', onHash);
    return () => globalThis.removeEventListener('hashchange', onHash);
  }, []);
  const go = (r: Route): void => {
    if (globalThis.location.hash !== `#/${r}`) globalThis.location.hash = `/${r}`;
    setRoute(r);
  };
  return [route, go];
}

// Navigation icons as inline SVG (16 px, currentColor): no font or image request, no missing glyphs.
const PATHS: Readonly<Record<string, string>> = {
  portfolio: 'M8 1.5a6.5 6.5 0 1 0 6.5 6.5H8z M9.5 0.5v6h6a6 6 0 0 0-6-6z',
  trade: 'M2 5h10l-3-3 M14 11H4l3 3',
  exchanges: 'M6 9.5a3.5 3.5 0 1 1 2.5-1l5 5-1.5 1.5-1-1-1 1-1.5-1.5 1-1-1.5-1.5',
  security: 'M8 1l5.5 2v4.5c0 3.5-2.5 6-5.5 7.5-3-1.5-5.5-4-5.5-7.5V3z',
};

export function Icon({ name }: { readonly name: string }) {
  return (
    <svg width="18" height="18" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}

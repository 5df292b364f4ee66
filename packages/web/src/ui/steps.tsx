/** Where a multi-step flow stands: a numbered list, the current step marked for screen readers. */
export function Steps({ steps, current }: { readonly steps: readonly string[]; readonly current: number }) {
  return (
    <ol className="steps" aria-label="Progress">
      {steps.map((s, i) => (
        <li key={s} className={i < current ? 'done' : i === current ? 'current' : ''} aria-current={i === current ? 'step' : undefined}>
          <span className="step-number">{i < current ? '✓' : String(i + 1)}</span> <span className="step-label">{s}</span>
        </li>
      ))}
    </ol>
  );
}

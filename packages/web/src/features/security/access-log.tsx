// One token's requests from the audit chain, newest first: when, allowed or refused (with the
// refusal's code), what was asked, and what the exchange answered.
import { tokenAccessLog, type AccessRecord } from '../../api/security.js';
import { Notice } from '../../ui/notice.js';
import { formatTime } from './policy-words.js';
import { useLoad } from '../../ui/use-load.js';

function outcomeOf(r: AccessRecord): string {
  if (r.decision === 'deny') return 'not sent';
  if (r.outcome === null) return 'pending';
  if (r.outcome.status === null) return r.outcome.error ?? 'no answer';
  return `${String(r.outcome.status)} in ${String(Math.round(r.outcome.latencyMs))} ms`;
}

export function AccessLog({ accessor, label }: { readonly accessor: string; readonly label: string }) {
  const { result, reload } = useLoad(() => tokenAccessLog(accessor));
  return (
    <section className="sc-log" aria-label={`Access log of ${label}`}>
      <div className="sc-row">
        <h4>Access log</h4>
        <button type="button" className="sc-secondary" onClick={reload}>Refresh log</button>
      </div>
      {result.state === 'loading' && <p role="status">Loading the access log…</p>}
      {result.state === 'error' && <Notice kind="error">{result.message}</Notice>}
      {result.state === 'ready' && result.data.records.length === 0 && <p>No requests yet.</p>}
      {result.state === 'ready' && result.data.records.length > 0 && (
        <table className="sc-table">
          <thead><tr><th scope="col">Time</th><th scope="col">Decision</th><th scope="col">Request</th><th scope="col">Outcome</th></tr></thead>
          <tbody>
            {result.data.records.map((r) => (
              <tr key={r.seq} className={r.decision === 'deny' ? 'sc-denied' : undefined}>
                <td data-label="Time">{formatTime(r.at)}</td>
                <td data-label="Decision">{r.decision === 'allow' ? 'allowed' : `refused${r.reason === null ? '' : ` (${r.reason})`}`}</td>
                <td data-label="Request" className="sc-mono">{r.method} {r.path}</td>
                <td data-label="Outcome">{outcomeOf(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

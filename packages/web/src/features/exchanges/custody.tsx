// The three custody modes in plain words (docs/server.md "Custody modes"), with the server's own
// sentence for who can open the key under each.
import type { Custody } from '../../api/credentials.js';

const TITLES: Readonly<Record<Custody, { title: string; when: string }>> = {
  sealed: { title: 'Only me (sealed)', when: 'Best for trading by hand here. Nothing can use the key while you are signed out.' },
  'token-bound': { title: 'Me and the bots I give a token to (token-bound)', when: 'For a bot that runs while you are away, without the server holding the key on its own.' },
  delegated: { title: 'This server, at any time (delegated)', when: 'For automation that the server runs itself. The most convenient and the least private.' },
};

export function CustodyChooser({ modes, value, onChange }: {
  readonly modes: readonly { readonly mode: Custody; readonly whoCanOpen: string }[];
  readonly value: Custody;
  readonly onChange: (c: Custody) => void;
}) {
  return (
    <fieldset className="custody">
      <legend>Who can use this key?</legend>
      {modes.map((m) => (
        <label key={m.mode} className={m.mode === value ? 'custody-option on' : 'custody-option'}>
          <input type="radio" name="custody" value={m.mode} checked={m.mode === value} onChange={() => onChange(m.mode)} />
          <span>
            <strong>{TITLES[m.mode].title}</strong>
            <span className="muted">{TITLES[m.mode].when}</span>
            <small>{m.whoCanOpen}</small>
          </span>
        </label>
      ))}
      <p className="muted">Changing this later asks for your password again.</p>
    </fieldset>
  );
}

export const custodyTitle = (c: Custody): string => TITLES[c].title;

// A first-time user's path: connect the first exchange (the wizard, right here), then, if they
// like, add a second factor in Security. Shown while no exchange is connected.
import type { SessionAnswer } from '../../api/auth.js';
import type { CredentialView } from '../../api/credentials.js';
import { ConnectWizard } from '../exchanges/connect-wizard.js';

export function Welcome({ session, onConnected, onSecurity }: {
  readonly session: SessionAnswer;
  readonly onConnected: (c: CredentialView) => void;
  readonly onSecurity: () => void;
}) {
  return (
    <div className="stack">
      <section className="card welcome" aria-labelledby="welcome-title">
        <h1 id="welcome-title">Welcome to Keyward</h1>
        <p>Keyward gives you one clear place for your exchange accounts, and keeps your API keys sealed with a key only your password opens.</p>
        <ol className="welcome-path">
          <li><strong>Connect your first exchange.</strong> You create a trade-only key there; Keyward seals it in this browser.</li>
          <li><strong>See your portfolio and trade</strong> with a preview of every order&apos;s cost before you confirm.</li>
          <li><strong>Optional: add a second factor</strong> (an authenticator app or a passkey) so a stolen password is not enough. <button type="button" className="link" onClick={onSecurity}>Set it up in Security</button></li>
        </ol>
      </section>
      <ConnectWizard session={session} takenNames={[]} onConnected={onConnected} />
    </div>
  );
}

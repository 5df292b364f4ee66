// "How a bot uses a token", with this server's gateway URL (GET /api/v1/info).
import { serverInfo } from '../../api/credentials.js';
import { useLoad } from '../../ui/use-load.js';
import { ccxtSnippet } from './bot-snippet.js';

export function BotSnippet({ exchange }: { readonly exchange: string }) {
  const info = useLoad(serverInfo);
  if (info.result.state !== 'ready') return null;
  const { gatewayUrl } = info.result.data;
  return (
    <div className="sc-bot" aria-label="How a bot uses this token" role="group">
      <p>
        A bot sends its requests to the gateway at <code className="sc-mono">{gatewayUrl}</code>, with the token where {exchange} expects the
        API key. With ccxt:
      </p>
      <pre className="sc-mono sc-snippet" data-testid="ccxt-snippet">{ccxtSnippet(exchange, gatewayUrl)}</pre>
    </div>
  );
}

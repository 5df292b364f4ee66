// How to create a key on each exchange that Keyward can use: read and trade on, withdrawals and
// transfers off, restricted to the server's address. Wording follows each exchange's own labels.
export interface KeyGuide {
  /** Where the exchange's key management page is. */
  readonly url: string | null;
  readonly steps: readonly string[];
  /** The exchange's own name for each part it shows, when it differs from ours. */
  readonly labels: Partial<Record<'apiKey' | 'secret' | 'passphrase' | 'privateKey', string>>;
}

/**
 * `egress` is GET /api/v1/info's egressAddress: an address when the server knows it, else words
 * ("the public address of this server"); null while it loads or when the server did not say.
 */
function ipStep(egress: string | null, lead = 'Restrict the key to'): string {
  if (egress === null) return `${lead} a trusted IP address. After you connect, Keyward shows the exact address its requests come from if the key is not restricted yet.`;
  const isAddress = /^[\d.]+$|^[\da-f:]+$/i.test(egress);
  return isAddress
    ? `${lead} the IP address ${egress}: Keyward's requests to the exchange come from there, so the key works from nowhere else.`
    : `${lead} ${egress}: Keyward's requests to the exchange come from there, so the key works from nowhere else.`;
}

const GUIDES: Readonly<Record<string, (egress: string | null) => KeyGuide>> = {
  binance: (egress) => ({
    url: 'https://www.binance.com/en/my/settings/api-management',
    steps: [
      'Open API Management on Binance and choose Create API, then "System generated".',
      'Name it "Keyward" and pass Binance\'s security check.',
      'Under API restrictions, tick "Enable Reading" and "Enable Spot & Margin Trading".',
      'Leave "Enable Withdrawals" and "Enable Universal Transfer" unticked. Keyward refuses a key that can withdraw.',
      ipStep(egress),
      'Copy the API Key and the Secret Key. Binance shows the secret only once.',
    ],
    labels: { apiKey: 'API Key', secret: 'Secret Key', privateKey: 'Ed25519 private key (PEM)' },
  }),
  okx: (egress) => ({
    url: 'https://www.okx.com/account/my-api',
    steps: [
      'Open API on OKX and choose "Create V5 API Key".',
      'Name it "Keyward" and set a passphrase: you will paste it below, so keep it until then.',
      'Under Permissions, choose "Read" and "Trade". Do not choose "Withdraw".',
      ipStep(egress),
      'Copy the API key and the Secret key.',
    ],
    labels: { apiKey: 'API key', secret: 'Secret key', passphrase: 'Passphrase' },
  }),
  kraken: (egress) => ({
    url: 'https://pro.kraken.com/app/settings/api',
    steps: [
      'Open Settings → API on Kraken and choose "Create API key".',
      'Under Funds permissions tick only "Query"; leave "Deposit" and "Withdraw" off.',
      'Under Orders and trades tick "Query open orders & trades", "Query closed orders & trades", "Create & modify orders" and "Cancel & close orders".',
      ipStep(egress, 'Under Advanced settings, restrict the key to'),
      'Copy the API key and the Private key.',
    ],
    labels: { apiKey: 'API key', secret: 'Private key' },
  }),
  coinbase: (egress) => ({
    url: 'https://portal.cdp.coinbase.com/access/api',
    steps: [
      'Open the Coinbase Developer Platform and create a Secret API key for Advanced Trade, with the ECDSA signature algorithm.',
      'Choose the portfolio, and the permissions "View" and "Trade". Leave "Transfer" off.',
      ipStep(egress, 'Add an IP allowlist entry for'),
      'Copy the API key name (organizations/…/apiKeys/…) and the whole private key, including the BEGIN and END lines.',
    ],
    labels: { apiKey: 'API key name', privateKey: 'Private key (PEM)' },
  }),
};

export function guideFor(exchange: string, name: string, egress: string | null = null): KeyGuide {
  return GUIDES[exchange]?.(egress) ?? {
    url: null,
    steps: [
      `Open the API key settings on ${name} and create a new key named "Keyward".`,
      'Allow reading balances and orders, and spot trading. Leave withdrawals and transfers off: Keyward refuses a key that can move funds out.',
      ipStep(egress),
      'Copy the key and its secret parts.',
    ],
    labels: {},
  };
}

export const PART_LABELS = { apiKey: 'API key', secret: 'Secret', passphrase: 'Passphrase', privateKey: 'Private key (PEM)' } as const;

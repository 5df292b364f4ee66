// The one catalogue of Keyward's error codes (STYLE habit 6). The app API renders these as
// RFC 9457 problem+json, the gateway in each exchange's own error format, the CLI as
// `keyward: error:` plus `keyward: hint:`. docs/errors.md must list exactly these codes: a test
// compares them.

interface CatalogueEntry {
  /** HTTP status when this reaches an HTTP client. */
  readonly status: number;
  /** Process exit status when this ends a CLI command (2 = usage, 1 = everything else). */
  readonly exit: 1 | 2;
  readonly title: string;
  /** What the user can do about it; printed as the CLI's hint line. */
  readonly hint?: string;
}

export const ERROR_CATALOGUE = {
  KW_INPUT_INVALID: { status: 400, exit: 2, title: 'The input is not valid.' },
  KW_VAULT_NOT_FOUND: { status: 404, exit: 1, title: 'There is no vault here.', hint: 'run `keyward init` to create one, or pass --home DIR for another vault' },
  KW_VAULT_EXISTS: { status: 409, exit: 1, title: 'A vault already exists here.', hint: 'pass --home DIR to create another vault elsewhere' },
  KW_VAULT_WRONG_PASSWORD: { status: 401, exit: 1, title: 'Wrong password, or the vault key record was altered.' },
  KW_VAULT_DAMAGED: { status: 500, exit: 1, title: 'The vault file is damaged or is not a Keyward vault.', hint: 'restore it from a backup made with `keyward backup export`' },
  KW_VAULT_TOO_NEW: { status: 500, exit: 1, title: 'The vault was written by a newer version of Keyward.', hint: 'upgrade Keyward; this version did not change the vault' },
  KW_VAULT_BUSY: { status: 503, exit: 1, title: 'Another process is writing to the vault.', hint: 'wait for it to finish and try again' },
  KW_VAULT_CONFLICT: { status: 409, exit: 1, title: 'The vault changed while this command ran; nothing was written.', hint: 'run the command again' },
  KW_VAULT_LOCKED: { status: 423, exit: 1, title: 'The vault is locked.' },
  KW_CRYPTO_OPEN_FAILED: { status: 500, exit: 1, title: 'Encrypted data failed to open: it was altered or belongs elsewhere.' },
  KW_KDF_PARAMS_REFUSED: { status: 400, exit: 1, title: 'Key-derivation parameters are outside the allowed range.' },
  KW_KEK_FILE_INSECURE: { status: 500, exit: 1, title: 'The key-encryption-key file can be read or written by other users, so it was not loaded.', hint: 'run `chmod 600` on the file (and `chmod 700` on its folder), then consider whether the key was copied' },
  KW_KEK_FILE_INVALID: { status: 500, exit: 1, title: 'The key-encryption-key file is not a 32-byte key file.', hint: 'restore the file from a backup: a new key cannot open data keys wrapped by the old one' },
  KW_KEK_KEY_EXPORTABLE: { status: 500, exit: 1, title: 'The key-encryption key on the token could be exported from it, so it was not used.', hint: 'generate a new key on the token with CKA_EXTRACTABLE=false and CKA_SENSITIVE=true, then rotate to it' },
  KW_KEK_UNAVAILABLE: { status: 503, exit: 1, title: 'The key-encryption key cannot be reached (PKCS#11 module, token, PIN or key).' },
  KW_PASSWORD_MISMATCH: { status: 400, exit: 1, title: 'The two passwords do not match.' },
  KW_PASSWORD_TOO_SHORT: { status: 400, exit: 1, title: 'The password is too short (at least 8 characters).' },
  KW_PASSWORD_UNAVAILABLE: { status: 400, exit: 1, title: 'No password was given and there is no terminal to ask for one.', hint: 'use --password-file FILE or KEYWARD_PASSWORD_FILE' },
  KW_SECRET_MISSING: { status: 400, exit: 1, title: 'A secret is required and none was given.' },
  KW_CREDENTIAL_NOT_FOUND: { status: 404, exit: 1, title: 'No credential has that name.', hint: 'see `keyward credential list`' },
  KW_CREDENTIAL_EXISTS: { status: 409, exit: 1, title: 'A credential with that name already exists.', hint: 'pick another name, or use `keyward credential rotate`' },
  KW_CREDENTIAL_INVALID: { status: 400, exit: 1, title: 'The credential cannot be used to sign.' },
  KW_EXCHANGE_REFUSED: { status: 502, exit: 1, title: 'The exchange refused the request.' },
  KW_EXCHANGE_UNKNOWN: { status: 400, exit: 2, title: 'Unknown exchange.' },
  KW_BACKUP_INVALID: { status: 400, exit: 1, title: 'The backup file is damaged, altered or not a Keyward backup; nothing was imported.' },
  KW_BACKUP_TOO_NEW: { status: 400, exit: 1, title: 'The backup was written by a newer version of Keyward.', hint: 'upgrade Keyward to import it' },
  KW_CLIPBOARD_UNAVAILABLE: { status: 500, exit: 1, title: 'No clipboard tool was found (xclip, xsel or wl-copy).', hint: 'install one of them, e.g. `apt install xclip`' },
  KW_TOKEN_INVALID: { status: 401, exit: 1, title: 'The token is not valid.' },
  KW_TOKEN_REVOKED: { status: 401, exit: 1, title: 'The token, or a token above it, was revoked.' },
  KW_TOKEN_EXPIRED: { status: 401, exit: 1, title: 'The token, or a token above it, has expired.' },
  KW_TOKEN_EXHAUSTED: { status: 401, exit: 1, title: 'The token has no uses left.' },
  KW_TOKEN_NOT_FOUND: { status: 404, exit: 1, title: 'No token has that accessor.', hint: 'see `keyward token list`' },
  KW_TOKEN_POLICY_NOT_SUBSET: { status: 403, exit: 1, title: 'A token can only narrow its parent\'s policy.' },
  KW_TOKEN_USE_LIMITED: { status: 403, exit: 1, title: 'A use-limited token cannot issue tokens.' },
  KW_POLICY_VALUE_EXIT: { status: 403, exit: 1, title: 'Withdrawals and transfers are never signed, whatever the policy says.', hint: 'move funds out on the exchange\'s own site, with its own confirmation' },
  KW_POLICY_UNKNOWN_REQUEST: { status: 403, exit: 1, title: 'The request could not be classified, so it was not signed (fail closed).' },
  KW_POLICY_INVALID: { status: 403, exit: 1, title: 'The token\'s policy is not valid; nothing is allowed under it.', hint: 'issue the token again with a valid policy' },
  KW_POLICY_EXPIRED: { status: 403, exit: 1, title: 'The token\'s policy has expired.', hint: 'issue a new token' },
  KW_POLICY_SOURCE_DENIED: { status: 403, exit: 1, title: 'The request comes from an address the policy does not allow.' },
  KW_POLICY_ACTION_DENIED: { status: 403, exit: 1, title: 'The policy does not grant this action (read, trade or cancel).' },
  KW_POLICY_SYMBOL_DENIED: { status: 403, exit: 1, title: 'The policy does not allow this symbol.' },
  KW_POLICY_RATE_EXCEEDED: { status: 403, exit: 1, title: 'The policy\'s orders-per-minute limit is reached.', hint: 'wait a minute and try again' },
  KW_POLICY_NOTIONAL_UNKNOWN: { status: 403, exit: 1, title: 'The order\'s value cannot be known from the request, and the policy limits value or price.', hint: 'size the order in quote currency, or send a limit order' },
  KW_POLICY_NOTIONAL_EXCEEDED: { status: 403, exit: 1, title: 'The order\'s value is above the policy\'s limit per order.' },
  KW_POLICY_DAILY_NOTIONAL_EXCEEDED: { status: 403, exit: 1, title: 'The order would take today\'s traded value past the policy\'s daily limit.' },
  KW_POLICY_NO_REFERENCE_PRICE: { status: 403, exit: 1, title: 'There is no reference price for the symbol, and the policy has a price band (fail closed).', hint: 'try again when the market has a price' },
  KW_POLICY_PRICE_OUTSIDE_BAND: { status: 403, exit: 1, title: 'The limit price is outside the policy\'s band around the reference price.' },
  KW_POLICY_BOOK_TOO_THIN: { status: 403, exit: 1, title: 'The order book within the price band is too thin for this market order.', hint: 'send a smaller order, or a limit order' },
  KW_GATEWAY_UNKNOWN_EXCHANGE: { status: 404, exit: 1, title: 'The gateway serves no exchange by that name.' },
  KW_GATEWAY_AMBIGUOUS: { status: 400, exit: 1, title: 'The request could be read in more than one way, so it was not signed.' },
  KW_GATEWAY_BODY_TOO_LARGE: { status: 413, exit: 1, title: 'The request body is over the gateway\'s limit.' },
  KW_GATEWAY_NO_TOKEN: { status: 401, exit: 1, title: 'The request carries no Keyward token where the exchange expects its API key.' },
  KW_GATEWAY_NO_CREDENTIAL: { status: 403, exit: 1, title: 'The token\'s credential is not unlocked in this gateway.' },
  KW_GATEWAY_WRONG_EXCHANGE: { status: 403, exit: 1, title: 'The token\'s credential belongs to another exchange.' },
  KW_GATEWAY_AUDIT_FAILED: { status: 503, exit: 1, title: 'The audit log cannot be written, so nothing was signed.' },
  KW_GATEWAY_UPSTREAM: { status: 502, exit: 1, title: 'The exchange could not be reached.' },
  KW_AUDIT_TAMPERED: { status: 500, exit: 1, title: 'The audit log does not verify.' },
  KW_STORE_UNAVAILABLE: { status: 503, exit: 1, title: 'The database cannot be reached.' },
  KW_INTERNAL_ERROR: { status: 500, exit: 1, title: 'Internal error.' },
  KW_AUTH_FAILED: { status: 401, exit: 1, title: "The e-mail address or password is wrong." },
  KW_AUTH_THROTTLED: { status: 429, exit: 1, title: "Too many attempts; wait before trying again.", hint: "wait for the time in the Retry-After header; your account is not locked" },
  KW_SECOND_FACTOR_REQUIRED: { status: 401, exit: 1, title: "A second factor is required to finish signing in." },
  KW_SECOND_FACTOR_INVALID: { status: 401, exit: 1, title: "The second-factor code is wrong, expired or was already used." },
  KW_PASSKEY_INVALID: { status: 401, exit: 1, title: "The passkey response did not verify (origin, site, signature, user verification or format)." },
  KW_PASSKEY_CHALLENGE_INVALID: { status: 401, exit: 1, title: "The passkey challenge is unknown, expired or was already used.", hint: "start the passkey step again" },
  KW_PASSKEY_CLONED: { status: 401, exit: 1, title: "The passkey's signature counter did not go up: the authenticator may have been copied.", hint: "sign in with another factor, and remove this passkey unless you know why its counter went back" },
  KW_SESSION_REQUIRED: { status: 401, exit: 1, title: "Sign in first." },
  KW_SESSION_EXPIRED: { status: 401, exit: 1, title: "The session has ended (idle or absolute timeout, sign-out, or revocation).", hint: "sign in again" },
  KW_SESSION_LOCKED: { status: 423, exit: 1, title: "This session has not unlocked the account's keys.", hint: "unlock with your password (POST /api/v1/session/unlock)" },
  KW_CSRF_INVALID: { status: 403, exit: 1, title: "The request's CSRF token is missing or wrong." },
  KW_REAUTH_REQUIRED: { status: 403, exit: 1, title: "This change needs a fresh confirmation of your password.", hint: "confirm with POST /api/v1/session/reauth, then retry within 5 minutes" },
  KW_ADDRESS_NOT_ALLOWED: { status: 403, exit: 1, title: "Your address is not on this account's IP allowlist." },
  KW_RATE_LIMITED: { status: 429, exit: 1, title: "Too many requests from this address; slow down." },
  KW_NOT_FOUND: { status: 404, exit: 1, title: "Nothing is here." },
  KW_BODY_TOO_LARGE: { status: 413, exit: 1, title: "The request body is too large." },
  KW_ACCOUNT_EXISTS: { status: 409, exit: 1, title: "An account with that e-mail address already exists." },
  KW_CREDENTIAL_REFUSED: { status: 422, exit: 1, title: "The exchange key was refused: it can withdraw or transfer funds, or it does not work.", hint: "create a key with withdrawals and transfers switched off, then connect it again" },
  KW_CONFIG_INVALID: { status: 500, exit: 2, title: "The configuration is not valid." },
  KW_TLS_REQUIRED: { status: 500, exit: 2, title: "Listening beyond loopback needs TLS.", hint: "pass --tls-cert and --tls-key, or --insecure-listen if a TLS proxy sits in front" },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/**
 * An error with a stable code. `detail` is shown to the user and must never contain a secret:
 * callers pass names, paths and numbers, never request bodies or key material.
 */
export class KeywardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { hint?: string; cause?: unknown }) {
    const entry: CatalogueEntry = ERROR_CATALOGUE[code];
    super(detail ?? entry.title, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeywardError';
    this.code = code;
    this.status = entry.status;
    this.detail = detail;
    this.hint = options?.hint ?? entry.hint;
  }

  get title(): string {
    return ERROR_CATALOGUE[this.code].title;
  }

  get exitCode(): 1 | 2 {
    return ERROR_CATALOGUE[this.code].exit;
  }
}

export function isKeywardError(e: unknown): e is KeywardError {
  return e instanceof KeywardError;
}

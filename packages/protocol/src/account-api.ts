// The key-carrying bodies of the app API's account routes, shared by every client (the Node twin in
// packages/keyward/src/client, the browser's packages/web/src/crypto) so they cannot drift apart.
// Binary fields are base64url. See docs/server.md "Sign-up and sign-in".

/** The answer of POST /api/v1/auth/prelogin (the same shape for an unknown address). */
export interface PreloginAnswer {
  readonly accountId: string;
  readonly salt: string;
  readonly kdf: { readonly memoryKiB: number; readonly iterations: number };
}

/** POST /api/v1/auth/signup. */
export interface SignUpBody {
  readonly email: string;
  readonly accountId: string;
  readonly salt: string;
  readonly kdf: { readonly memoryKiB: number; readonly iterations: number };
  readonly authKey: string;
  readonly wrappedUserKey: string;
  /** HMAC(user key, LABELS.userKeyCheck): lets the server recognise the user key at unlock. */
  readonly userKeyCheck: string;
}

/** PUT /api/v1/account/password: the same user key under a new password; nothing else changes. */
export interface PasswordChangeBody {
  readonly salt: string;
  readonly kdf: { readonly memoryKiB: number; readonly iterations: number };
  readonly authKey: string;
  readonly wrappedUserKey: string;
}

/** POST /api/v1/credentials, less `custody`, which the caller adds: ciphertext only. */
export interface SealedCredential {
  readonly id: string;
  readonly name: string;
  readonly exchange: string;
  readonly ciphertext: string;
  readonly wrappedDek: string;
  /** 12 hex characters: a keyed fingerprint, shows whether two credentials hold the same key. */
  readonly fingerprint: string;
}

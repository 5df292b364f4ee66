// The user key this tab holds after sign-in, to seal credentials before upload. It lives in this
// module only: never in React state (devtools display state), never in storage. Wiped on sign-out,
// on a new sign-in and when the page goes away.
let userKey: Uint8Array | null = null;

export function holdUserKey(key: Uint8Array): void {
  wipeHeldKeys();
  userKey = key;
}

export function hasUserKey(): boolean {
  return userKey !== null;
}

/** Lends the key to `fn`; the key must not be kept beyond the call. */
export function withUserKey<T>(fn: (key: Uint8Array) => T): T {
  if (userKey === null) throw new Error('no user key: sign in again');
  return fn(userKey);
}

export function wipeHeldKeys(): void {
  userKey?.fill(0);
  userKey = null;
}

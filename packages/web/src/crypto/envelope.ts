// Envelope encryption, wire format v1 (@keyward/protocol/key-hierarchy): version (1 byte) || nonce
// (24) || ciphertext || tag (16). The associated data (protocol's encodeAssociatedData) binds owner,
// record id and purpose, so a ciphertext moved to another row, owner or purpose fails to open.
// The browser twin of packages/keyward/src/crypto/envelope.ts, over Uint8Arrays.
import {
  ENVELOPE_VERSION, KEY_BYTES, WRAPPED_KEY_BYTES, encodeAssociatedData, type AdFields,
} from '@keyward/protocol/key-hierarchy';
import { open, openFailed, seal } from './aead.js';

/** Seals `plaintext` under `key`; `nonce` exists for the shared test vectors only. */
export function sealEnvelope(key: Uint8Array, plaintext: Uint8Array, ad: AdFields, nonce?: Uint8Array): Uint8Array {
  const body = seal(key, plaintext, encodeAssociatedData(ad), nonce);
  const out = new Uint8Array(1 + body.length);
  out[0] = ENVELOPE_VERSION;
  out.set(body, 1);
  return out;
}

export function openEnvelope(key: Uint8Array, envelope: Uint8Array, ad: AdFields, expectedPlaintextBytes?: number): Uint8Array {
  // An unknown version is the same opaque failure: flipping it teaches an attacker nothing.
  if (envelope.length < 1 || envelope[0] !== ENVELOPE_VERSION) throw openFailed();
  return open(key, envelope.subarray(1), encodeAssociatedData(ad), expectedPlaintextBytes);
}

/** Wraps a 32-byte key (user key, data key); the result is exactly WRAPPED_KEY_BYTES long. */
export function wrapKey(wrappingKey: Uint8Array, key: Uint8Array, ad: AdFields, nonce?: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('only 32-byte keys are wrapped');
  return sealEnvelope(wrappingKey, key, ad, nonce);
}

export function unwrapKey(wrappingKey: Uint8Array, wrapped: Uint8Array, ad: AdFields): Uint8Array {
  if (wrapped.length !== WRAPPED_KEY_BYTES) throw openFailed();
  return openEnvelope(wrappingKey, wrapped, ad, KEY_BYTES);
}

// Envelope encryption (DESIGN.md "Key hierarchy"): a key wraps a key, the last key seals the data.
// Wire format v1: version (1 byte) || nonce (24) || ciphertext || tag (16). The associated data
// (protocol's encodeAssociatedData) binds owner, record id and purpose, and starts with the same
// version byte, so a ciphertext moved to another row, owner or purpose fails to open.
import {
  ENVELOPE_VERSION, KEY_BYTES, WRAPPED_KEY_BYTES, encodeAssociatedData, type AdFields,
} from '@keyward/protocol/key-hierarchy';
import { open, openFailed, seal } from './aead.js';
import type { SecureBuffer } from './secure-buffer.js';

export type { AdFields } from '@keyward/protocol/key-hierarchy';

/** Seals `plaintext` under `key`; `nonce` exists for the shared test vectors only. */
export function sealEnvelope(key: SecureBuffer, plaintext: SecureBuffer | Uint8Array, ad: AdFields, nonce?: Uint8Array): Buffer {
  const body = seal(key, plaintext, encodeAssociatedData(ad), nonce);
  const out = Buffer.alloc(1 + body.length);
  out[0] = ENVELOPE_VERSION;
  out.set(body, 1);
  return out;
}

export function openEnvelope(key: SecureBuffer, envelope: Uint8Array, ad: AdFields, expectedPlaintextBytes?: number): SecureBuffer {
  // An unknown version is the same opaque failure: an attacker learns nothing by flipping it.
  if (envelope.length < 1 || envelope[0] !== ENVELOPE_VERSION) throw openFailed();
  return open(key, envelope.subarray(1), encodeAssociatedData(ad), expectedPlaintextBytes);
}

/** Wraps a 32-byte key (user key, data key). The result is exactly WRAPPED_KEY_BYTES long. */
export function wrapKey(wrappingKey: SecureBuffer, key: SecureBuffer, ad: AdFields, nonce?: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES) throw new RangeError('only 32-byte keys are wrapped');
  return sealEnvelope(wrappingKey, key, ad, nonce);
}

export function unwrapKey(wrappingKey: SecureBuffer, wrapped: Uint8Array, ad: AdFields): SecureBuffer {
  if (wrapped.length !== WRAPPED_KEY_BYTES) throw openFailed();
  return openEnvelope(wrappingKey, wrapped, ad, KEY_BYTES);
}

// KeyHandle: signs with a credential's secret without handing the secret out (age's Identity).
// Exchange adapters see only this interface. HMAC keys are precomputed in secure memory on first
// use per hash; Ed25519 seeds stay in secure memory; P-256 (Coinbase CDP ES256) keys live in an
// OpenSSL KeyObject, because libsodium has no P-256: that key sits in OpenSSL's heap, which is not
// mlock'd (docs/threat-model.md says so).
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { KeywardError } from '@keyward/protocol/errors';
import {
  SecureBuffer, createEd25519Key, createHmacKey, decodeBase64Secure, releaseAll,
  type Ed25519Key, type HashName, type HmacKey, type Message,
} from '../crypto/index.js';
import type { CredentialSecrets } from './credential-secrets.js';

export type SignatureKind = 'hmac' | 'ed25519' | 'es256';

export interface KeyHandle {
  readonly apiKey: string;
  readonly kind: SignatureKind;
  /** HMAC of `message` under the secret. */
  hmac(hash: HashName, message: Message): Buffer;
  /** Ed25519 (64 bytes) or ES256 as JOSE r||s (64 bytes). */
  sign(message: Uint8Array): Buffer;
  readonly hasPassphrase: boolean;
  /** HMAC of the passphrase under the secret (KuCoin's signed passphrase). */
  hmacOfPassphrase(hash: HashName): Buffer;
  /**
   * The passphrase bytes, for the exchanges that send it in a header in clear (OKX, Coinbase
   * Exchange). HTTP headers are strings in Node, so such a passphrase does become one, briefly.
   */
  withPassphrase<T>(fn: (passphrase: Uint8Array) => T): T;
  release(): void;
}

export interface KeyHandleOptions {
  /** How the exchange hands out the HMAC secret: used as is, or base64 to decode (Kraken, Coinbase Exchange). */
  readonly secretEncoding: 'utf8' | 'base64';
}

// PKCS#8 wrapping of an Ed25519 seed (RFC 8410 §7): this prefix, then the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PEM_BEGIN = Buffer.from('-----BEGIN ');

function pemBody(pem: Uint8Array): { label: string; body: Uint8Array } | null {
  const text = Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength);
  const start = text.indexOf(PEM_BEGIN);
  if (start < 0) return null;
  const labelEnd = text.indexOf('-----', start + PEM_BEGIN.length);
  const bodyStart = text.indexOf('\n', labelEnd);
  const bodyEnd = text.indexOf('-----END', bodyStart);
  if (labelEnd < 0 || bodyStart < 0 || bodyEnd < 0) return null;
  // The label (e.g. "PRIVATE KEY") is not secret; the body is only viewed, never copied.
  return { label: text.subarray(start + PEM_BEGIN.length, labelEnd).toString('ascii'), body: text.subarray(bodyStart + 1, bodyEnd) };
}

/** An Ed25519 seed from a PKCS#8 PEM, or from base64 of seed (32 B) or seed||public (64 B). */
function ed25519Seed(privateKey: SecureBuffer): SecureBuffer | null {
  return privateKey.reveal((pk) => {
    const pem = pemBody(pk);
    const der = decodeBase64Secure(pem === null ? pk : pem.body);
    if (der === null) return null;
    try {
      return der.reveal((d) => {
        if (pem !== null) {
          if (pem.label !== 'PRIVATE KEY' || d.length !== 48 || !d.subarray(0, 16).equals(ED25519_PKCS8_PREFIX)) return null;
          return SecureBuffer.from(d.subarray(16), { wipeSource: false });
        }
        if (d.length === 32 || d.length === 64) return SecureBuffer.from(d.subarray(0, 32), { wipeSource: false });
        return null;
      });
    } finally {
      der.release();
    }
  });
}

function invalidKey(why: string): KeywardError {
  return new KeywardError('KW_CREDENTIAL_INVALID', `The credential's private key is not usable: ${why}.`);
}

export function createKeyHandle(secrets: CredentialSecrets, options: KeyHandleOptions): KeyHandle {
  const hmacKeys = new Map<HashName, HmacKey>();
  let secretBytes: SecureBuffer | null = null;
  let ed: Ed25519Key | null = null;
  let p256: KeyObject | null = null;
  let kind: SignatureKind = 'hmac';
  const passphrase = secrets.passphrase?.clone() ?? null;

  if (secrets.privateKey !== undefined) {
    const isEc = secrets.privateKey.reveal((pk) => pemBody(pk)?.label === 'EC PRIVATE KEY');
    if (isEc) {
      // OpenSSL parses the PEM from the secure buffer directly: no JavaScript string in between.
      p256 = secrets.privateKey.reveal((pk) => createPrivateKey({ key: Buffer.from(pk.buffer, pk.byteOffset, pk.byteLength), format: 'pem' }));
      if (p256.asymmetricKeyType !== 'ec' || p256.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw invalidKey('an EC key must be on P-256');
      kind = 'es256';
    } else {
      const seed = ed25519Seed(secrets.privateKey);
      if (seed === null) throw invalidKey('expected an Ed25519 PKCS#8 PEM, base64 Ed25519 key, or EC P-256 PEM');
      ed = createEd25519Key(seed);
      seed.release();
      kind = 'ed25519';
    }
  } else if (secrets.secret !== undefined) {
    secretBytes = options.secretEncoding === 'base64'
      ? secrets.secret.reveal((s) => decodeBase64Secure(s))
      : secrets.secret.clone();
    if (secretBytes === null) throw new KeywardError('KW_CREDENTIAL_INVALID', 'The secret is not valid base64, which this exchange uses.');
  } else {
    throw new KeywardError('KW_CREDENTIAL_INVALID', 'The credential has neither a secret nor a private key.');
  }

  const hmacKey = (hash: HashName): HmacKey => {
    if (secretBytes === null) throw new KeywardError('KW_CREDENTIAL_INVALID', 'This credential signs with a private key, not an HMAC secret.');
    let k = hmacKeys.get(hash);
    if (k === undefined) {
      k = createHmacKey(hash, secretBytes);
      hmacKeys.set(hash, k);
    }
    return k;
  };

  return {
    apiKey: secrets.apiKey,
    kind,
    hmac: (hash, message) => hmacKey(hash).digest(message),
    sign(message) {
      if (ed !== null) return ed.sign(message);
      if (p256 !== null) return nodeSign('sha256', message, { key: p256, dsaEncoding: 'ieee-p1363' });
      throw new KeywardError('KW_CREDENTIAL_INVALID', 'This credential signs with an HMAC secret, not a private key.');
    },
    hasPassphrase: passphrase !== null,
    hmacOfPassphrase(hash) {
      if (passphrase === null) throw new KeywardError('KW_CREDENTIAL_INVALID', 'The credential has no passphrase.');
      return passphrase.reveal((p) => hmacKey(hash).digest(p));
    },
    withPassphrase(fn) {
      if (passphrase === null) throw new KeywardError('KW_CREDENTIAL_INVALID', 'The credential has no passphrase.');
      return passphrase.reveal(fn);
    },
    release() {
      for (const k of hmacKeys.values()) k.release();
      hmacKeys.clear();
      ed?.release();
      ed = null;
      p256 = null;
      releaseAll(secretBytes, passphrase);
    },
  };
}

/** A handle straight from raw secret bytes, for `keyward sign` and tests. */
export function keyHandleFromParts(parts: { apiKey: string; secret?: SecureBuffer; passphrase?: SecureBuffer; privateKey?: SecureBuffer }, options: KeyHandleOptions): KeyHandle {
  return createKeyHandle({ ...parts, release: () => releaseAll(parts.secret, parts.passphrase, parts.privateKey) }, options);
}

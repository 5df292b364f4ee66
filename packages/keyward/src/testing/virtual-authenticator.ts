// A software WebAuthn authenticator for tests: one ES256 credential (node:crypto P-256), "none"
// attestation, and a sign counter, producing the JSON a browser's navigator.credentials would
// hand to the page. Byte layouts follow WebAuthn Level 3 §6.1 (authenticator data), §6.5.4
// (attestation object) and §5.8.1 (client data); CBOR is RFC 8949 with COSE keys per RFC 9053.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { encodeCbor, type CborValue } from './virtual-authenticator-cbor.js';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
const ES256 = -7;

export interface VirtualAuthenticatorOptions {
  /** false: the authenticator reports presence but no PIN or biometric check (flag UV unset). */
  readonly userVerified?: boolean;
}

interface Credential {
  readonly id: Buffer;
  readonly privateKey: KeyObject;
  readonly cosePublicKey: Buffer;
  readonly userHandle: string;
}

export class VirtualAuthenticator {
  readonly #userVerified: boolean;
  #credential: Credential | null = null;
  #signCount = 0;

  constructor(options: VirtualAuthenticatorOptions = {}) {
    this.#userVerified = options.userVerified ?? true;
  }

  get credentialId(): string {
    return this.#registered().id.toString('base64url');
  }

  /** The credential's COSE public key, as a server stores it after registration. */
  get publicKey(): Uint8Array {
    return new Uint8Array(this.#registered().cosePublicKey);
  }

  get signCount(): number {
    return this.#signCount;
  }

  /** navigator.credentials.create(): makes the credential, as the browser at `origin` asks. */
  register(options: PublicKeyCredentialCreationOptionsJSON, origin: string): RegistrationResponseJSON {
    if (!options.pubKeyCredParams.some((p) => p.alg === ES256)) throw new Error('virtual authenticator: ES256 not offered');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    if (jwk.x === undefined || jwk.y === undefined) throw new Error('virtual authenticator: no EC point');
    // RFC 9053 §7.1.1: kty 2 (EC2), alg -7, crv 1 (P-256), x, y.
    const cosePublicKey = encodeCbor(new Map<number, number | Buffer>([
      [1, 2], [3, ES256], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')],
    ]));
    const id = randomBytes(16);
    if (options.excludeCredentials?.some((c) => c.id === id.toString('base64url')) === true) throw new Error('virtual authenticator: excluded');
    this.#credential = { id, privateKey, cosePublicKey, userHandle: options.user.id };
    this.#signCount = 0;

    const clientDataJSON = clientData('webauthn.create', options.challenge, origin);
    const rpId = options.rp.id ?? new URL(origin).hostname;
    // §6.5.1: AAGUID (16 zero bytes for "none"), id length, id, COSE key.
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = this.#authData(rpId, FLAG_AT, Buffer.concat([Buffer.alloc(16), idLength, id, cosePublicKey]));
    const attestationObject = encodeCbor(new Map<string, CborValue>([['fmt', 'none'], ['attStmt', new Map<string, CborValue>()], ['authData', authData]]));
    return {
      id: id.toString('base64url'), rawId: id.toString('base64url'), type: 'public-key', clientExtensionResults: {},
      response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: attestationObject.toString('base64url'), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get(): signs authenticatorData ‖ SHA-256(clientDataJSON) (§6.3.3 step 11). */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, origin: string): AuthenticationResponseJSON {
    const credential = this.#registered();
    const allowed = options.allowCredentials ?? [];
    if (allowed.length > 0 && !allowed.some((c) => c.id === credential.id.toString('base64url'))) {
      throw new Error('virtual authenticator: no allowed credential here');
    }
    this.#signCount++;
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const authData = this.#authData(options.rpId ?? new URL(origin).hostname, 0, Buffer.alloc(0));
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]), credential.privateKey);
    return {
      id: credential.id.toString('base64url'), rawId: credential.id.toString('base64url'), type: 'public-key', clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'), authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'), userHandle: credential.userHandle,
      },
    };
  }

  /** A second copy of the same key and counter, as someone who extracted the key would hold it. */
  clone(): VirtualAuthenticator {
    const copy = new VirtualAuthenticator({ userVerified: this.#userVerified });
    copy.#credential = this.#registered();
    copy.#signCount = this.#signCount;
    return copy;
  }

  #registered(): Credential {
    if (this.#credential === null) throw new Error('virtual authenticator: nothing registered yet');
    return this.#credential;
  }

  /** §6.1: rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian) ‖ attested credential data. */
  #authData(rpId: string, extraFlags: number, attested: Buffer): Buffer {
    const head = Buffer.alloc(37);
    createHash('sha256').update(rpId, 'utf8').digest().copy(head, 0);
    head[32] = FLAG_UP | (this.#userVerified ? FLAG_UV : 0) | extraFlags;
    head.writeUInt32BE(this.#signCount, 33);
    return Buffer.concat([head, attested]);
  }
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

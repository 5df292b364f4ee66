// WebAuthn between the server's JSON (SimpleWebAuthn's shapes: binary fields as base64url) and the
// browser's ArrayBuffers. Everything here is public: challenges, credential ids, attestations.
// Chromium 129+ and others have PublicKeyCredential.parseCreationOptionsFromJSON and toJSON();
// the by-hand conversion below covers the browsers that do not.

export function hasWebAuthn(): boolean {
  return typeof globalThis.PublicKeyCredential === 'function' && typeof navigator !== 'undefined' && navigator.credentials !== undefined;
}

export function b64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToB64url(bytes: ArrayBuffer | Uint8Array): string {
  const u = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let bin = '';
  for (const b of u) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

interface DescriptorJson { readonly id: string; readonly type?: string; readonly transports?: readonly string[] }

const descriptor = (d: DescriptorJson): PublicKeyCredentialDescriptor => ({
  id: b64urlToBytes(d.id), type: 'public-key', ...(d.transports === undefined ? {} : { transports: [...d.transports] as AuthenticatorTransport[] }),
});

export function creationOptionsFromJson(json: Record<string, unknown>): PublicKeyCredentialCreationOptions {
  const o = json as unknown as PublicKeyCredentialCreationOptions & { challenge: string; user: { id: string; name: string; displayName: string }; excludeCredentials?: DescriptorJson[] };
  return {
    ...o,
    challenge: b64urlToBytes(o.challenge),
    user: { ...o.user, id: b64urlToBytes(o.user.id) },
    excludeCredentials: (o.excludeCredentials ?? []).map(descriptor),
  };
}

export function requestOptionsFromJson(json: Record<string, unknown>): PublicKeyCredentialRequestOptions {
  const o = json as unknown as PublicKeyCredentialRequestOptions & { challenge: string; allowCredentials?: DescriptorJson[] };
  return { ...o, challenge: b64urlToBytes(o.challenge), allowCredentials: (o.allowCredentials ?? []).map(descriptor) };
}

/** A registration or assertion as the JSON the server verifies (RegistrationResponseJSON / AuthenticationResponseJSON). */
export function credentialToJson(cred: PublicKeyCredential): Record<string, unknown> {
  const r = cred.response as AuthenticatorResponse & {
    attestationObject?: ArrayBuffer; authenticatorData?: ArrayBuffer; signature?: ArrayBuffer; userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
  };
  const response: Record<string, unknown> = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
  if (r.attestationObject !== undefined) {
    response['attestationObject'] = bytesToB64url(r.attestationObject);
    response['transports'] = r.getTransports?.() ?? [];
  }
  if (r.authenticatorData !== undefined) response['authenticatorData'] = bytesToB64url(r.authenticatorData);
  if (r.signature !== undefined) response['signature'] = bytesToB64url(r.signature);
  if (r.userHandle !== undefined && r.userHandle !== null) response['userHandle'] = bytesToB64url(r.userHandle);
  return {
    id: cred.id, rawId: bytesToB64url(cred.rawId), type: cred.type, response,
    clientExtensionResults: cred.getClientExtensionResults(),
    ...(cred.authenticatorAttachment === null ? {} : { authenticatorAttachment: cred.authenticatorAttachment }),
  };
}

export async function createPasskey(optionsJson: Record<string, unknown>): Promise<Record<string, unknown>> {
  const cred = await navigator.credentials.create({ publicKey: creationOptionsFromJson(optionsJson) });
  if (cred === null) throw new Error('The browser made no passkey.');
  return credentialToJson(cred as PublicKeyCredential);
}

export async function getPasskeyAssertion(optionsJson: Record<string, unknown>): Promise<Record<string, unknown>> {
  const cred = await navigator.credentials.get({ publicKey: requestOptionsFromJson(optionsJson) });
  if (cred === null) throw new Error('The browser gave no passkey.');
  return credentialToJson(cred as PublicKeyCredential);
}

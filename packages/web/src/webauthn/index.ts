// WebAuthn for every screen that makes or uses a passkey (the Security centre enrols; sign-in and
// re-authentication assert): the server's JSON options in, the browser's ArrayBuffers out and back.
export {
  b64urlToBytes, bytesToB64url, createPasskey, creationOptionsFromJson, credentialToJson, getPasskeyAssertion, hasWebAuthn, requestOptionsFromJson,
} from './webauthn.js';

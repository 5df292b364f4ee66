// The PKCS#11 KEK against SoftHSM2 (installed by .ci/run): the shared contract, then what is
// particular to a token: the key is generated on it and cannot be exported, an exportable key is
// refused, the wire format is what pkcs11-kek.ts says, and rotation from a key file lands on it.
// SoftHSM2 missing: every test here is SKIPPED with a banner, unless KEYWARD_REQUIRE_SOFTHSM=1
// (CI), where the file fails.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { KeywardError } from '@keyward/protocol/errors';
import { PURPOSES, encodeAssociatedData, type AdFields } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, equal, openEnvelope, sealEnvelope } from '../crypto/index.js';
import { isOpenFailure, runKekContract } from './kek.contract.js';
import { openKeyFileKek } from './key-file-kek.js';
import { PKCS11_WRAPPED_BYTES, openPkcs11Kek, type Pkcs11KekOptions } from './pkcs11-kek.js';
import { rewrapAll } from './rotate.js';

const MODULE = process.env.KEYWARD_TEST_SOFTHSM_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
const TOKEN = 'keyward-test';
// A throwaway token in a temp folder: these PINs protect nothing, so argv is acceptable here only.
const SO_PIN = '31415926';
const USER_PIN = '27182818';
const AD: AdFields = { owner: 'acct-1', record: 'cred-1', purpose: PURPOSES.dataKey };
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

function softhsmMissing(): string | null {
  if (!existsSync(MODULE)) return `no PKCS#11 module at ${MODULE}`;
  const probe = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return 'softhsm2-util is not on PATH';
  return null;
}

const missing = softhsmMissing();
if (missing !== null && process.env.KEYWARD_REQUIRE_SOFTHSM === '1') {
  throw new Error(`SoftHSM2 unavailable (${missing}), and KEYWARD_REQUIRE_SOFTHSM=1: the PKCS#11 KEK tests must run (apt-get install softhsm2)`);
}
let skipped = 0;
const gate = (): { skip: false | string } => {
  if (missing === null) return { skip: false };
  skipped += 1;
  return { skip: `SoftHSM2 unavailable: ${missing}` };
};
if (missing !== null) {
  after(() => {
    console.warn(`\n*** SoftHSM2 unavailable (${missing}): ${String(skipped)} PKCS#11 KEK tests SKIPPED (apt-get install softhsm2; KEYWARD_REQUIRE_SOFTHSM=1 fails instead) ***\n`);
  });
}

// A fresh token directory per run; SoftHSM reads SOFTHSM2_CONF when the module is initialised.
const root = mkdtempSync(join(tmpdir(), 'keyward-softhsm-'));
after(() => rmSync(root, { recursive: true, force: true }));
if (missing === null) {
  const tokens = join(root, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  const conf = join(root, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN, '--so-pin', SO_PIN, '--pin', USER_PIN], { encoding: 'utf8' });
  assert.equal(init.status, 0, `softhsm2-util --init-token failed: ${init.stderr}`);
}

const pin = (text = USER_PIN): SecureBuffer => SecureBuffer.from(Buffer.from(text), { wipeSource: true });
let keys = 0;
const options = (overrides: Partial<Pkcs11KekOptions> = {}): Pkcs11KekOptions =>
  ({ module: MODULE, tokenLabel: TOKEN, keyLabel: `kek-${String(++keys)}`, pin: pin(), create: true, ...overrides });

runKekContract('pkcs11', () => openPkcs11Kek(options()), gate);

/**
 * An independent look at the token through its own pkcs11js handle. It shares the process's
 * initialised module with the KEKs (Cryptoki state is per process), so it never finalises it.
 */
function rawToken(): { p11: pkcs11js.PKCS11; session: Buffer; find(label: string): Buffer; done(): void } {
  const p11 = new pkcs11js.PKCS11();
  p11.load(MODULE);
  try {
    p11.C_Initialize();
  } catch (e) {
    if (!(e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) throw e;
  }
  const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trimEnd() === TOKEN);
  assert.ok(slot !== undefined);
  const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p11.C_Login(session, pkcs11js.CKU_USER, USER_PIN);
  } catch (e) {
    if (!(e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) throw e;
  }
  const find = (label: string): Buffer => {
    p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
    const found = p11.C_FindObjects(session, 2);
    p11.C_FindObjectsFinal(session);
    assert.equal(found.length, 1, `one object labelled ${label}`);
    return found[0] as Buffer;
  };
  return { p11, session, find, done: () => p11.C_CloseSession(session) };
}

const rejectsWith = (code: string) => (e: unknown): boolean => {
  assert.ok(e instanceof pkcs11js.Pkcs11Error, String(e));
  assert.equal(e.message, code);
  return true;
};

test('the key is generated on the token and cannot be exported', gate(), async () => {
  const kek = await openPkcs11Kek(options({ keyLabel: 'kek-export-proof' }));
  const raw = rawToken();
  try {
    const key = raw.find('kek-export-proof');
    assert.throws(() => raw.p11.C_GetAttributeValue(raw.session, key, [{ type: pkcs11js.CKA_VALUE }]), rejectsWith('CKR_ATTRIBUTE_SENSITIVE'));
    const attrs = raw.p11.C_GetAttributeValue(raw.session, key, [
      { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_NEVER_EXTRACTABLE }, { type: pkcs11js.CKA_SENSITIVE },
      { type: pkcs11js.CKA_ALWAYS_SENSITIVE }, { type: pkcs11js.CKA_LOCAL }, { type: pkcs11js.CKA_TOKEN }, { type: pkcs11js.CKA_PRIVATE },
    ]).map((a) => a.value[0]);
    assert.deepEqual(attrs, [0, 1, 1, 1, 1, 1, 1], 'extractable=0, never-extractable, sensitive, always-sensitive, local, token, private');
    // Nor can it be wrapped out under another key, or flipped to extractable.
    const wrapper = raw.p11.C_GenerateKey(raw.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 }, { type: pkcs11js.CKA_WRAP, value: true }, { type: pkcs11js.CKA_TOKEN, value: false },
    ]);
    assert.throws(() => raw.p11.C_WrapKey(raw.session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, wrapper, key, Buffer.alloc(128)), rejectsWith('CKR_KEY_UNEXTRACTABLE'));
    assert.throws(() => raw.p11.C_SetAttributeValue(raw.session, key, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }]));
    assert.equal(raw.p11.C_GetAttributeValue(raw.session, key, [{ type: pkcs11js.CKA_EXTRACTABLE }])[0]?.value[0], 0);
  } finally {
    raw.done();
    await kek.close();
  }
});

test('a key that could leave the token is refused', gate(), async () => {
  const raw = rawToken();
  try {
    for (const [label, extractable, sensitive] of [['weak-extractable', true, true], ['weak-not-sensitive', false, false]] as const) {
      raw.p11.C_GenerateKey(raw.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 }, { type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_LABEL, value: label }, { type: pkcs11js.CKA_EXTRACTABLE, value: extractable }, { type: pkcs11js.CKA_SENSITIVE, value: sensitive },
        { type: pkcs11js.CKA_ENCRYPT, value: true }, { type: pkcs11js.CKA_DECRYPT, value: true },
      ]);
      await assert.rejects(openPkcs11Kek(options({ keyLabel: label, create: false })), isCode('KW_KEK_KEY_EXPORTABLE'), label);
    }
  } finally {
    raw.done();
  }
});

test('the wire format is version || IV || ciphertext || tag, with the encoded AD as GCM AAD', gate(), async () => {
  // A known key imported non-extractable lets node:crypto check the format independently.
  const known = Buffer.alloc(32, 0x42);
  const raw = rawToken();
  try {
    raw.p11.C_CreateObject(raw.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE, value: known }, { type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_LABEL, value: 'known-key' }, { type: pkcs11js.CKA_EXTRACTABLE, value: false }, { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: true }, { type: pkcs11js.CKA_DECRYPT, value: true },
    ]);
  } finally {
    raw.done();
  }
  const kek = await openPkcs11Kek(options({ keyLabel: 'known-key', create: false }));
  const dek = SecureBuffer.random(32);
  const wrapped = Buffer.from(await kek.wrap(dek, AD));
  assert.equal(wrapped.length, PKCS11_WRAPPED_BYTES);
  assert.equal(wrapped[0], 1);
  const decipher = createDecipheriv('aes-256-gcm', known, wrapped.subarray(1, 13), { authTagLength: 16 });
  decipher.setAAD(encodeAssociatedData(AD));
  decipher.setAuthTag(wrapped.subarray(45));
  const plain = Buffer.concat([decipher.update(wrapped.subarray(13, 45)), decipher.final()]);
  assert.ok(equal(plain, dek));
  await kek.close();
});

test('reopened without create, the key has the same id and opens what it wrapped', gate(), async () => {
  const first = await openPkcs11Kek(options({ keyLabel: 'kek-reopen' }));
  assert.match(first.id, /^pkcs11:kek-reopen:[0-9a-f]{32}$/);
  const dek = SecureBuffer.random(32);
  const wrapped = await first.wrap(dek, AD);
  await first.close();
  const again = await openPkcs11Kek(options({ keyLabel: 'kek-reopen', create: false }));
  assert.equal(again.id, first.id);
  assert.ok(equal(await again.unwrap(wrapped, AD), dek));
  await again.close();
});

test('two KEKs on one token: closing one leaves the other logged in and working', gate(), async () => {
  const a = await openPkcs11Kek(options());
  const b = await openPkcs11Kek(options());
  const dek = SecureBuffer.random(32);
  const wrapped = await b.wrap(dek, AD);
  await a.close();
  assert.ok(equal(await b.unwrap(wrapped, AD), dek));
  await b.close();
  // And the module can be brought up again after the last one closed.
  const c = await openPkcs11Kek(options());
  await c.close();
});

test('the caller\'s PIN buffer is neither kept nor released', gate(), async () => {
  const p = pin();
  const kek = await openPkcs11Kek(options({ pin: p }));
  assert.equal(p.isReleased, false);
  assert.ok(p.reveal((b) => b.toString() === USER_PIN));
  await kek.close();
  p.release();
});

test('a wrong PIN, an unknown token or key, and a missing module are clear errors', gate(), async () => {
  await assert.rejects(openPkcs11Kek(options({ pin: pin('00000000') })), (e: unknown) => isCode('KW_KEK_UNAVAILABLE')(e) && /CKR_PIN_INCORRECT/.test((e as Error).message));
  await assert.rejects(openPkcs11Kek(options({ tokenLabel: 'no-such-token' })), (e: unknown) => isCode('KW_KEK_UNAVAILABLE')(e) && /no token labelled "no-such-token"/.test((e as Error).message));
  await assert.rejects(openPkcs11Kek(options({ keyLabel: 'no-such-key', create: false })), (e: unknown) => isCode('KW_KEK_UNAVAILABLE')(e) && /no key labelled "no-such-key"/.test((e as Error).message));
  await assert.rejects(openPkcs11Kek(options({ module: join(root, 'no-such-module.so') })), isCode('KW_KEK_UNAVAILABLE'));
  await assert.rejects(openPkcs11Kek(options({ tokenLabel: 'x'.repeat(33) })), RangeError);
});

test('rotation from the key file to the token rewraps DEKs and leaves ciphertexts byte-identical', gate(), async () => {
  const from = await openKeyFileKek({ path: join(root, 'file-kek', 'kek.key') });
  const to = await openPkcs11Kek(options({ keyLabel: 'kek-rotated' }));
  const dek = SecureBuffer.random(32);
  const ad: AdFields = { owner: 'acct-1', record: 'cred-9', purpose: PURPOSES.dataKey };
  const credAd: AdFields = { ...ad, purpose: PURPOSES.credential };
  const ciphertext = sealEnvelope(dek, Buffer.from('exchange-secret'), credAd);
  const before = Buffer.from(ciphertext);
  const row = { id: 'cred-9', kekId: from.id, kekWrappedDek: await from.wrap(dek, ad), ad };
  const [rewrapped] = await rewrapAll([row], from, to);
  assert.ok(rewrapped !== undefined);
  assert.equal(rewrapped.kekId, to.id);
  assert.deepEqual(ciphertext, before);
  const opened = openEnvelope(await to.unwrap(rewrapped.kekWrappedDek, ad), ciphertext, credAd);
  assert.ok(opened.reveal((b) => b.toString() === 'exchange-secret'));
  await assert.rejects(from.unwrap(rewrapped.kekWrappedDek, ad), isOpenFailure);
  await Promise.all([from.close(), to.close()]);
});

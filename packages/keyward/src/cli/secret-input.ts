// Reading secrets (passwords, exchange secrets, passphrases, PEM keys) straight into secure
// memory: from the terminal without echo, from standard input, or from a file. Never from argv or
// the environment, and never through a JavaScript string. Chunks that the OS hands us in ordinary
// buffers are copied into a SecureBuffer and zeroed at once.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../crypto/index.js';

const MAX_SECRET_BYTES = 64 * 1024;

/** A growable byte collector in secure memory. */
class SecureCollector {
  #buf = SecureBuffer.alloc(256);
  #len = 0;

  push(bytes: Uint8Array): void {
    if (this.#len + bytes.length > MAX_SECRET_BYTES) throw new KeywardError('KW_INPUT_INVALID', 'The secret is longer than 64 KiB.');
    if (this.#len + bytes.length > this.#buf.length) {
      const bigger = SecureBuffer.alloc(Math.min(MAX_SECRET_BYTES, Math.max(this.#buf.length * 2, this.#len + bytes.length)));
      bigger.reveal((b) => this.#buf.reveal((old) => b.set(old.subarray(0, this.#len))));
      this.#buf.release();
      this.#buf = bigger;
    }
    this.#buf.reveal((b) => b.set(bytes, this.#len));
    this.#len += bytes.length;
  }

  /** Drops the last UTF-8 character (for backspace at the prompt). */
  popChar(): void {
    this.#buf.reveal((b) => {
      while (this.#len > 0) {
        this.#len -= 1;
        const byte = b[this.#len] ?? 0;
        b[this.#len] = 0;
        if ((byte & 0xc0) !== 0x80) break;
      }
    });
  }

  clear(): void {
    this.#buf.reveal((b) => b.fill(0));
    this.#len = 0;
  }

  /** The collected bytes without one trailing newline (\n or \r\n), as files and pipes often end. */
  finish(options: { stripNewline: boolean }): SecureBuffer {
    let end = this.#len;
    this.#buf.reveal((b) => {
      if (options.stripNewline && end > 0 && b[end - 1] === 0x0a) end -= 1;
      if (options.stripNewline && end > 0 && b[end - 1] === 0x0d) end -= 1;
    });
    const out = this.#buf.slice(0, end);
    this.#buf.release();
    return out;
  }

  discard(): void {
    this.#buf.release();
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Reads a whole file descriptor synchronously into secure memory. */
function readFdSecure(fd: number): SecureBuffer {
  const collector = new SecureCollector();
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        // A non-blocking stdin (some shells, some test harnesses) reports EAGAIN between writes.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          sleepMs(5);
          continue;
        }
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      collector.push(chunk.subarray(0, n));
      chunk.fill(0, 0, n);
    }
    return collector.finish({ stripNewline: true });
  } catch (e) {
    collector.discard();
    throw e;
  } finally {
    chunk.fill(0);
  }
}

export function readSecretFile(path: string, what: string): SecureBuffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new KeywardError('KW_INPUT_INVALID', `Cannot read the ${what} file ${path} (${code}).`);
  }
  try {
    return readFdSecure(fd);
  } finally {
    closeSync(fd);
  }
}

export function readSecretStdin(what: string): SecureBuffer {
  const secret = readFdSecure(0);
  if (secret.length === 0) {
    secret.release();
    throw new KeywardError('KW_SECRET_MISSING', `Standard input held no ${what}.`);
  }
  return secret;
}

/** True when there is a terminal to prompt on. */
export function hasTerminal(): boolean {
  try {
    closeSync(openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Prompts on the controlling terminal (not stdin, which may carry a secret or data) with echo off,
 * byte by byte into secure memory. Ctrl-C aborts; backspace and Ctrl-U edit.
 */
export function promptSecret(prompt: string): Promise<SecureBuffer> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return Promise.reject(new KeywardError('KW_PASSWORD_UNAVAILABLE', `No terminal to ask for the ${prompt.replace(/:\s*$/, '').toLowerCase()}.`));
  }
  const stream = new ReadStream(fd);
  stream.setRawMode(true);
  writeSync(fd, prompt);
  const collector = new SecureCollector();
  const one = new Uint8Array(1);
  return new Promise<SecureBuffer>((resolve, reject) => {
    const finish = (error: Error | null): void => {
      stream.off('data', onData);
      stream.setRawMode(false);
      writeSync(fd, '\n');
      stream.destroy();
      if (error === null) resolve(collector.finish({ stripNewline: false }));
      else {
        collector.discard();
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      try {
        for (const byte of chunk) {
          if (byte === 0x0d || byte === 0x0a) return finish(null);
          if (byte === 0x03) return finish(new KeywardError('KW_INPUT_INVALID', 'Interrupted.'));
          if (byte === 0x04 && chunk.length === 1) return finish(null);
          if (byte === 0x7f || byte === 0x08) collector.popChar();
          else if (byte === 0x15) collector.clear();
          else if (byte >= 0x20 || byte === 0x09) {
            one[0] = byte;
            collector.push(one);
            one[0] = 0;
          }
        }
      } catch (e) {
        finish(e as Error);
      } finally {
        chunk.fill(0);
      }
    };
    stream.on('data', onData);
  });
}

// The little CBOR (RFC 8949) a WebAuthn authenticator writes: integers, byte and text strings,
// arrays and maps, definite lengths only. Map entries are written in the order given; the
// authenticator code gives them in CTAP2's canonical order (shorter keys first).
export type CborValue = number | string | Uint8Array | readonly CborValue[] | ReadonlyMap<CborValue, CborValue>;

export function encodeCbor(value: CborValue): Buffer {
  const out: Buffer[] = [];
  write(value, out);
  return Buffer.concat(out);
}

/** RFC 8949 §3: major type in the top 3 bits, the argument in the low 5 bits and what follows. */
function head(major: number, argument: number): Buffer {
  if (!Number.isSafeInteger(argument) || argument < 0 || argument > 0xffffffff) throw new RangeError('CBOR argument out of range');
  if (argument < 24) return Buffer.from([(major << 5) | argument]);
  if (argument < 0x100) return Buffer.from([(major << 5) | 24, argument]);
  if (argument < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(argument, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(argument, 1);
  return b;
}

function write(value: CborValue, out: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError('only integers are encoded');
    // §3.1: major 0 holds n, major 1 holds -1 - n.
    out.push(value >= 0 ? head(0, value) : head(1, -1 - value));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(head(3, bytes.length), bytes);
  } else if (value instanceof Uint8Array) {
    out.push(head(2, value.length), Buffer.from(value));
  } else if (value instanceof Map) {
    out.push(head(5, value.size));
    for (const [k, v] of value as ReadonlyMap<CborValue, CborValue>) {
      write(k, out);
      write(v, out);
    }
  } else {
    const items = value as readonly CborValue[];
    out.push(head(4, items.length));
    for (const item of items) write(item, out);
  }
}

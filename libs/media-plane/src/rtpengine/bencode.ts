/**
 * Bencode, the encoding of rtpengine's ng control protocol: byte strings,
 * integers, lists and dictionaries. Written here because the maintained
 * `bencode` package (4.x) is ESM with an `import`-only export map, which this
 * CommonJS build cannot require, and its 2.x line is no longer kept. Byte
 * strings decode as text (latin1, byte for byte): every string rtpengine
 * answers with (SDP, results, reasons) is ASCII.
 */
export type BencodeValue =
  string | number | Buffer | readonly BencodeValue[] | { readonly [key: string]: BencodeValue | undefined };
export type BencodeDictionary = { readonly [key: string]: BencodeValue | undefined };

export function bencode(value: BencodeValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: BencodeValue, parts: Buffer[]): void {
  if (Buffer.isBuffer(value)) {
    parts.push(Buffer.from(`${value.length}:`), value);
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    parts.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode takes integers only, not ${value}`);
    parts.push(Buffer.from(`i${value}e`));
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l'));
    for (const item of value as readonly BencodeValue[]) write(item, parts);
    parts.push(Buffer.from('e'));
  } else {
    parts.push(Buffer.from('d'));
    // Keys in byte order, as the format requires.
    const dictionary = value as BencodeDictionary;
    for (const key of Object.keys(dictionary).sort()) {
      const item = dictionary[key];
      if (item === undefined) continue;
      write(key, parts);
      write(item, parts);
    }
    parts.push(Buffer.from('e'));
  }
}

/** Thrown when the bytes end before the value does: wait for more of the stream. */
export class IncompleteBencode extends Error {}

const E = 0x65; // 'e'
const COLON = 0x3a;

/** Decodes one value at `offset`; returns it and the offset just past it. */
export function bdecode(bytes: Buffer, offset = 0): { value: BencodeValue; end: number } {
  if (offset >= bytes.length) throw new IncompleteBencode('bencode: input ended');
  const kind = bytes[offset];
  if (kind === 0x69 /* i */) {
    const end = bytes.indexOf(E, offset);
    if (end < 0) throw new IncompleteBencode('bencode: integer not terminated');
    const text = bytes.toString('latin1', offset + 1, end);
    if (!/^-?\d+$/.test(text)) throw new SyntaxError(`bencode: bad integer "${text}"`);
    return { value: Number(text), end: end + 1 };
  }
  if (kind === 0x6c /* l */) {
    const list: BencodeValue[] = [];
    let at = offset + 1;
    while (peek(bytes, at) !== E) {
      const item = bdecode(bytes, at);
      list.push(item.value);
      at = item.end;
    }
    return { value: list, end: at + 1 };
  }
  if (kind === 0x64 /* d */) {
    const dictionary: Record<string, BencodeValue> = {};
    let at = offset + 1;
    while (peek(bytes, at) !== E) {
      const key = bdecode(bytes, at);
      if (typeof key.value !== 'string') throw new SyntaxError('bencode: dictionary key is not a string');
      const item = bdecode(bytes, key.end);
      dictionary[key.value] = item.value;
      at = item.end;
    }
    return { value: dictionary, end: at + 1 };
  }
  if (kind >= 0x30 && kind <= 0x39) {
    const colon = bytes.indexOf(COLON, offset);
    if (colon < 0) throw new IncompleteBencode('bencode: string length not terminated');
    const length = Number(bytes.toString('latin1', offset, colon));
    const start = colon + 1;
    if (start + length > bytes.length) throw new IncompleteBencode('bencode: string ended early');
    return { value: bytes.toString('latin1', start, start + length), end: start + length };
  }
  throw new SyntaxError(`bencode: unexpected byte 0x${kind.toString(16)} at ${offset}`);
}

function peek(bytes: Buffer, at: number): number {
  if (at >= bytes.length) throw new IncompleteBencode('bencode: input ended');
  return bytes[at];
}

// Turns stored values (structured-clone world: typed arrays, NaN, Dates)
// into JSON-safe trees and back, for project export files. Binary data goes
// either inline as base64 (plain .json export) or out to raw little-endian
// .bin entries (zip export), through a `BinarySink`; long lists of strings
// (a corpus' row ids) can go out to entries of their own through a
// `ListSink`, so no single JSON.stringify or parse holds the page for long.

/** A tag object standing in for a value JSON cannot hold. */
export type Tag =
  | { $sg: 'bin'; type: TypedName; file: string }
  | { $sg: 'b64'; type: TypedName; data: string }
  | { $sg: 'num'; value: 'NaN' | 'Infinity' | '-Infinity' }
  | { $sg: 'date'; iso: string }
  | { $sg: 'strs'; file: string; count: number };

const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
} as const;
export type TypedName = keyof typeof TYPED | 'ArrayBuffer';

/** Receives raw bytes (a view into the source value, not a copy) and returns the tag standing for them. */
export type BinarySink = (type: TypedName, bytes: Uint8Array) => Tag;

/** Receives a long list of strings (the array itself, not a copy) and returns the tag standing for it. */
export type ListSink = (list: string[]) => Tag;

/** Lists of strings at least this long go to a ListSink, when one is given. */
export const LONG_LIST = 10_000;

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  // fromCharCode on a huge spread overflows the stack; go in slices.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(data: string): Uint8Array {
  const s = atob(data);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

function typedName(v: ArrayBufferView): TypedName | null {
  for (const name of Object.keys(TYPED) as (keyof typeof TYPED)[]) if (v instanceof TYPED[name]) return name;
  return null;
}

const isStrings = (v: unknown[]) => v.every((x) => typeof x === 'string');

/** A JSON-safe copy of `value`; unsupported types (Map, Set, Blob...) throw a TypeError naming them. */
export function encodeValue(value: unknown, sink: BinarySink, path = '$', lists?: ListSink): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return { $sg: 'num', value: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' } satisfies Tag;
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`${path} is a ${typeof value}, which a project file cannot hold.`);
    }
    return value;
  }
  // Views, not copies: an export can hold hundreds of MB of vectors, and the
  // sinks only read the bytes before the export finishes.
  if (value instanceof ArrayBuffer) return sink('ArrayBuffer', new Uint8Array(value));
  if (ArrayBuffer.isView(value)) {
    const name = typedName(value);
    if (!name) throw new TypeError(`${path} is a ${value.constructor.name}, which a project file cannot hold.`);
    return sink(name, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
  if (value instanceof Date) return { $sg: 'date', iso: value.toISOString() } satisfies Tag;
  if (Array.isArray(value)) {
    if (lists && value.length >= LONG_LIST && isStrings(value)) return lists(value as string[]);
    // Plain values inline: building a path string per element would cost more than the element.
    return value.map((v, i) =>
      typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && Number.isFinite(v))
        ? v
        : encodeValue(v, sink, `${path}[${i}]`, lists),
    );
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`${path} is a ${(value as object).constructor?.name ?? 'special object'}, which a project file cannot hold.`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v, sink, `${path}.${k}`, lists);
  return out;
}

/** Looks up the bytes of a 'bin' tag; throws if the entry is missing. */
export type BinarySource = (file: string) => Uint8Array;

function isTag(v: object): v is Tag {
  return typeof (v as { $sg?: unknown }).$sg === 'string';
}

function fromBytes(type: TypedName, bytes: Uint8Array): ArrayBuffer | ArrayBufferView {
  // Copy into a fresh buffer: zip entries may be unaligned views.
  const buffer = bytes.slice().buffer;
  if (type === 'ArrayBuffer') return buffer;
  const Ctor = TYPED[type];
  if (!Ctor) throw new TypeError(`Unknown binary type ${String(type)}.`);
  if (buffer.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) throw new TypeError(`A ${type} entry has a truncated length.`);
  return new Ctor(buffer);
}

/** Looks up the list of a 'strs' tag; throws if the entry is missing. */
export type ListSource = (file: string) => string[];

const noLists: ListSource = (file) => {
  throw new TypeError(`A list stored apart (${file}) cannot be read here.`);
};

/** Every entry a decoded value will ask its sources for ('bin' and 'strs' tags), to fetch them first. */
export function referencedFiles(
  value: unknown,
  out: { bin: string[]; strs: string[] } = { bin: [], strs: [] },
): { bin: string[]; strs: string[] } {
  if (value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const v of value) if (v !== null && typeof v === 'object') referencedFiles(v, out);
    return out;
  }
  if (isTag(value) && value.$sg === 'bin') out.bin.push(value.file);
  else if (isTag(value) && value.$sg === 'strs') out.strs.push(value.file);
  else for (const v of Object.values(value)) referencedFiles(v, out);
  return out;
}

/** Inverse of encodeValue. */
export function decodeValue(value: unknown, source: BinarySource, lists: ListSource = noLists): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? decodeValue(v, source, lists) : v));
  if (isTag(value)) {
    switch (value.$sg) {
      case 'bin':
        return fromBytes(value.type, source(value.file));
      case 'b64':
        return fromBytes(value.type, fromBase64(value.data));
      case 'num':
        return Number(value.value);
      case 'date':
        return new Date(value.iso);
      case 'strs':
        return lists(value.file);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v, source, lists);
  return out;
}

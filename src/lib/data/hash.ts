// Text hashes used as cache keys (LLM labels, embeddings). They must never
// change for the same text, so the algorithm is fixed here: two independent
// 32-bit multiply-xor lanes over UTF-16 code units, mixed at the end
// (the cyrb53 construction, kept at the full 64 bits).

function lanes(s: string, h1: number, h2: number): [number, number] {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** 16 hex chars (64 bits) of the NFC-normalised text. Synchronous and stable. */
export function hashText(text: string): string {
  const [h1, h2] = lanes(text.normalize('NFC'), 0xdeadbeef, 0x41c6ce57);
  return hex32(h2) + hex32(h1);
}

/** Hash of several strings joined unambiguously (e.g. model + prompt version + text hash). */
export function hashParts(...parts: string[]): string {
  return hashPartsOf(parts);
}

/** hashParts of a list: a pool's million hashes would overflow the stack as spread arguments. */
export function hashPartsOf(parts: readonly string[]): string {
  return hashText(parts.map((p) => `${p.length}:${p}`).join('\u0000'));
}

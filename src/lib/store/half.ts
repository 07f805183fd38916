// IEEE 754 half floats (binary16) as Uint16Array bits, for storing vectors in
// half the space. Written out by hand: Float16Array and Math.f16round are not
// in every browser this app supports, nor in Node 20.
//
// Sentence vectors are unit length or close to it, so half precision keeps
// about three significant digits (relative error ≤ 2⁻¹¹), far below what
// changes a linear head's decisions.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half-float bits nearest to `v` (round half to even; overflow → ±Infinity; NaN stays NaN). */
export function halfBits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit-1 mantissa into place.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa rolls into the exponent, which is exactly right (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

let table: Float32Array | null = null;

/** Every half float's value, built once (256 KB): decoding is then one lookup per value. */
function halfTable(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    t[h] = exp === 0 ? sign * mant * 2 ** -24 : exp === 0x1f ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return (table = t);
}

/** `src` as half-float bits. */
export function toHalf(src: ArrayLike<number>, out = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) out[i] = halfBits(src[i]);
  return out;
}

/** Half-float bits back to float32 values (exact: every half is a float32). */
export function fromHalf(src: Uint16Array, out: Float32Array = new Float32Array(src.length), at = 0): Float32Array {
  const t = halfTable();
  for (let i = 0; i < src.length; i++) out[at + i] = t[src[i]];
  return out;
}

// A hash → slot table for text hashes. Text hashes are 16 hex digits
// (data/hash.ts), so they are kept as two 32-bit numbers in typed arrays with
// open addressing: a million entries take ~24 MB and no garbage, where a
// Map<string, number> takes ~80 MB of small objects. Any other string (tests,
// foreign files) goes to a plain Map beside it.

const HEX16 = /^[0-9a-f]{16}$/;
const EMPTY = -1;

export class HashSlots {
  #hi = new Uint32Array(0);
  #lo = new Uint32Array(0);
  #val = new Int32Array(0);
  #used = 0;
  #other = new Map<string, number>();

  /** Entries held. */
  get size(): number {
    return this.#used + this.#other.size;
  }

  /** The slot of `hash`, or -1 when it has none. */
  get(hash: string): number {
    if (!HEX16.test(hash)) return this.#other.get(hash) ?? EMPTY;
    if (this.#val.length === 0) return EMPTY;
    const hi = parseInt(hash.slice(0, 8), 16) >>> 0;
    const lo = parseInt(hash.slice(8), 16) >>> 0;
    const mask = this.#val.length - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const v = this.#val[i];
      if (v === EMPTY) return EMPTY;
      if (this.#lo[i] === lo && this.#hi[i] === hi) return v;
    }
  }

  has(hash: string): boolean {
    return this.get(hash) !== EMPTY;
  }

  /** Sets (or replaces) the slot of `hash`; slots are non-negative integers below 2³¹. */
  set(hash: string, slot: number): void {
    if (!(slot >= 0 && slot <= 0x7fffffff && Number.isInteger(slot)))
      throw new RangeError(`A slot must be a non-negative integer, got ${slot}.`);
    if (!HEX16.test(hash)) {
      this.#other.set(hash, slot);
      return;
    }
    if ((this.#used + 1) * 2 > this.#val.length) this.#grow();
    this.#put(parseInt(hash.slice(0, 8), 16) >>> 0, parseInt(hash.slice(8), 16) >>> 0, slot);
  }

  #put(hi: number, lo: number, slot: number): void {
    const mask = this.#val.length - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const v = this.#val[i];
      if (v === EMPTY) {
        this.#hi[i] = hi;
        this.#lo[i] = lo;
        this.#val[i] = slot;
        this.#used++;
        return;
      }
      if (this.#lo[i] === lo && this.#hi[i] === hi) {
        this.#val[i] = slot;
        return;
      }
    }
  }

  #grow(): void {
    const [hi, lo, val] = [this.#hi, this.#lo, this.#val];
    const cap = Math.max(1024, val.length * 2);
    this.#hi = new Uint32Array(cap);
    this.#lo = new Uint32Array(cap);
    this.#val = new Int32Array(cap).fill(EMPTY);
    this.#used = 0;
    for (let i = 0; i < val.length; i++) if (val[i] !== EMPTY) this.#put(hi[i], lo[i], val[i]);
  }
}

// Cache keys for teacher answers. A key names everything that changes the
// answer, so an unchanged setup finds its answers and a changed one does not.
// Bump KEY_VERSION (never edit stored rows) if the key's meaning changes.

export const KEY_VERSION = 'r1';

export interface CacheKeyParts {
  endpoint: string;
  model: string;
  codebookHash: string;
  /** Prompt template version. */
  template: string;
  textHash: string;
  repeat: number;
  /** null = the endpoint's default temperature (it rejected ours). */
  temperature: number | null;
}

/**
 * Same endpoint, same key: lower-case scheme and host, no trailing slashes,
 * no query or fragment. Unparseable input is only trimmed of trailing slashes.
 */
export function normaliseEndpoint(url: string): string {
  const trimmed = url.trim();
  // An in-browser teacher ("local:<model>@<revision>") is a name, not a URL.
  if (trimmed.startsWith('local:')) return trimmed;
  try {
    const u = new URL(trimmed);
    const pathname = u.pathname.replace(/\/+$/, '');
    return `${u.protocol}//${u.host}${pathname}`;
  } catch {
    return trimmed.replace(/\/+$/, '');
  }
}

const enc = (s: string) => encodeURIComponent(s);

/**
 * `r1|endpoint|model|codebookHash|template|`: how every key of one setup
 * starts, whatever the text, repeat and temperature; the parts are URI-encoded,
 * so no part holds a `|` and the prefix names the setup exactly (a key range).
 */
export function setupPrefix(p: Pick<CacheKeyParts, 'endpoint' | 'model' | 'codebookHash' | 'template'>): string {
  return [KEY_VERSION, enc(normaliseEndpoint(p.endpoint)), enc(p.model), enc(p.codebookHash), enc(p.template), ''].join('|');
}

/** `r1|endpoint|model|codebookHash|template|textHash|repeat|temperature`, each part URI-encoded. */
export function cacheKey(p: CacheKeyParts): string {
  const temp = p.temperature === null ? 'default' : String(p.temperature);
  return setupPrefix(p) + [enc(p.textHash), String(p.repeat), temp].join('|');
}

/** The parts of a key made by cacheKey, or null if it is not one (e.g. another version). */
export function parseCacheKey(key: string): CacheKeyParts | null {
  const f = key.split('|');
  if (f.length !== 8 || f[0] !== KEY_VERSION) return null;
  const repeat = Number(f[6]);
  const temperature = f[7] === 'default' ? null : Number(f[7]);
  if (!Number.isInteger(repeat) || (temperature !== null && !Number.isFinite(temperature))) return null;
  const dec = decodeURIComponent;
  return {
    endpoint: dec(f[1]),
    model: dec(f[2]),
    codebookHash: dec(f[3]),
    template: dec(f[4]),
    textHash: dec(f[5]),
    repeat,
    temperature,
  };
}

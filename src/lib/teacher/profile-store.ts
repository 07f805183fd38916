// Where the model profiles (what each endpoint and model accepts, probed once)
// and the user's prices live: two records of the key-value store, passed in.
// Every profile read back is checked with asProfile; a profile learned is
// also remembered for this page (known-profiles.ts), which keys the cache.
import { knownCapabilities, rememberCapabilities } from './known-profiles';
import type { Price } from './prices';
import { asProfile, guessProfile, profileKey } from './profile';
import type { Capabilities } from './types';

/** First version: only n/temperature/structured learned from 400s; read as a starting point. */
const CAPS_KV_V1 = 'teacher.capabilities.v1';
/** profileKey → ModelProfile (checked with asProfile on read). */
const PROFILES_KV = 'teacher.profiles.v2';
const PRICES_KV = 'teacher.prices.v1';

export interface ProfileKv {
  kvGet(key: string): Promise<unknown>;
  kvSet(key: string, value: unknown): Promise<void>;
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** Every remembered profile by profileKey (each also remembered for this page, unless a probed one is already), and the prices. */
export async function loadProfiles(kv: ProfileKv): Promise<{ profiles: Record<string, Capabilities>; prices: Record<string, Price> }> {
  const v1 = record(await kv.kvGet(CAPS_KV_V1));
  const v2 = record(await kv.kvGet(PROFILES_KV));
  const profiles: Record<string, Capabilities> = {};
  for (const [k, raw] of [...Object.entries(v1), ...Object.entries(v2)]) {
    const cut = k.lastIndexOf('|');
    const [baseURL, model] = [k.slice(0, cut), k.slice(cut + 1)];
    // v1 rows knew only what a 400 taught; the names' guess fills in the rest, and a probe still runs.
    const profile = asProfile(raw && typeof raw === 'object' ? { ...guessProfile(baseURL, model), ...raw } : raw);
    if (!profile) continue;
    profiles[profileKey(baseURL, model)] = profile;
    if (!knownCapabilities(baseURL, model)?.probed) rememberCapabilities(baseURL, model, profile);
  }
  const prices = record(await kv.kvGet(PRICES_KV)) as Record<string, Price>;
  return { profiles, prices };
}

/** Remembers `caps` for (baseURL, model), here and in the store (read again first: another tab may have added one). */
export async function saveProfile(kv: ProfileKv, baseURL: string, model: string, caps: Capabilities): Promise<void> {
  rememberCapabilities(baseURL, model, caps);
  const all = record(await kv.kvGet(PROFILES_KV));
  await kv.kvSet(PROFILES_KV, { ...all, [profileKey(baseURL, model)]: { ...caps } });
}

export function savePrices(kv: ProfileKv, prices: Record<string, Price>): Promise<void> {
  return kv.kvSet(PRICES_KV, prices);
}

/** A profile in a few words: "reasoning model; no temperature, no n; JSON schema". */
export function describeProfile(p: Capabilities): string {
  const parts = [
    p.reasoning ? `reasoning model${p.reasoningEffort ? ' (reasoning_effort accepted)' : ''}` : 'not a reasoning model',
    p.temperature ? 'temperature accepted' : 'default temperature only',
    p.n ? 'several answers per request (n)' : 'one answer per request (no n)',
    p.structured ? 'JSON schema output' : 'no JSON schema',
    p.logprobs ? 'label probabilities (logprobs)' : 'no label probabilities (consistency comes from repeats)',
    `cap sent as ${p.maxTokensParam}`,
  ];
  return parts.join('; ');
}

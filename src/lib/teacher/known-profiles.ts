// The model profiles this session learned (or was told), per (endpoint, model).
// Kept apart from client.ts so the main thread can read them without loading
// the openai SDK: client.ts is imported only when a request is about to be sent.
import { profileKey } from './profile';
import type { Capabilities } from './types';

const profiles = new Map<string, Capabilities>();

/** The profile this session learned (or was told) for (endpoint, model), if any. */
export function knownCapabilities(baseURL: string, model: string): Capabilities | undefined {
  const c = profiles.get(profileKey(baseURL, model));
  return c ? { ...c } : undefined;
}

export function rememberCapabilities(baseURL: string, model: string, caps: Capabilities): void {
  profiles.set(profileKey(baseURL, model), { ...caps });
}

/** Forget every profile (settings changed, or tests). */
export function forgetCapabilities(): void {
  profiles.clear();
}

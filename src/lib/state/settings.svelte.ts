// LLM endpoint settings. The API key lives in memory only, unless the user
// ticks "remember on this device" (then localStorage, with "forget key").
// Non-secret settings are remembered in localStorage so a reload keeps them.

const PREFS_KEY = 'surrogate.endpoint.v1';
const KEY_KEY = 'surrogate.apiKey.v1';

export interface EndpointPrefs {
  baseURL: string;
  model: string;
}

export const DEFAULT_ENDPOINT: EndpointPrefs = { baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini' };

function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null; // unreadable prefs are simply not restored
  }
}

export class SettingsState {
  baseURL = $state(DEFAULT_ENDPOINT.baseURL);
  model = $state(DEFAULT_ENDPOINT.model);
  apiKey = $state('');
  remember = $state(false);

  constructor() {
    const prefs = readJson<EndpointPrefs>(PREFS_KEY);
    if (prefs) {
      this.baseURL = prefs.baseURL || DEFAULT_ENDPOINT.baseURL;
      this.model = prefs.model || DEFAULT_ENDPOINT.model;
    }
    const key = localStorage.getItem(KEY_KEY);
    if (key) {
      this.apiKey = key;
      this.remember = true;
    }
  }

  /** True when requests can be attempted (local servers need no key). */
  get ready(): boolean {
    return this.baseURL.trim() !== '' && this.model.trim() !== '';
  }

  get host(): string {
    try {
      return new URL(this.baseURL).host;
    } catch {
      return this.baseURL;
    }
  }

  save(): void {
    localStorage.setItem(PREFS_KEY, JSON.stringify({ baseURL: this.baseURL.trim(), model: this.model.trim() }));
    if (this.remember && this.apiKey) localStorage.setItem(KEY_KEY, this.apiKey);
    else localStorage.removeItem(KEY_KEY);
  }

  forgetKey(): void {
    this.apiKey = '';
    this.remember = false;
    localStorage.removeItem(KEY_KEY);
  }

  reset(): void {
    localStorage.removeItem(PREFS_KEY);
    localStorage.removeItem(KEY_KEY);
    this.baseURL = DEFAULT_ENDPOINT.baseURL;
    this.model = DEFAULT_ENDPOINT.model;
    this.apiKey = '';
    this.remember = false;
  }
}

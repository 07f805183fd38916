// The teacher's model profiles and prices for display and for runs: what
// each endpoint and model accepts (probed once, remembered in the store by
// teacher/profile-store.ts) and what its tokens cost. TeacherState holds one
// (teacher.models) and asks it for the profile a run or a Batch export uses.
import * as store from '../store';
import { knownCapabilities } from '../teacher/known-profiles';
import { LOCAL_PROFILE } from '../teacher/local/run';
import { priceInfo, type Price, type PriceInfo } from '../teacher/prices';
import { guessProfile, profileKey } from '../teacher/profile';
import { describeProfile, loadProfiles, savePrices, saveProfile } from '../teacher/profile-store';
import type { TeacherSetup } from '../teacher/session';
import type { Capabilities, TeacherSettings } from '../teacher/types';
import { app, errorText } from './app.svelte';
import { localTeacher } from './local-teacher.svelte';

export class TeacherModels {
  /** User prices per model (USD per 1M tokens), overriding DEFAULT_PRICES. */
  prices = $state.raw<Record<string, Price>>({});
  /** Every remembered model profile by profileKey (a mirror of the store, for display). */
  profiles = $state.raw<Record<string, Capabilities>>({});
  /** True while a probe request is out. */
  probing = $state(false);
  /** Plain-words outcome of the last model check. */
  probeMessage = $state<{ ok: boolean; text: string } | null>(null);

  #loaded: Promise<void> | null = null;
  /** Aborts the probe a starting run waits for (Cancel before the first request). */
  #probeAbort: AbortController | null = null;
  /** Told when a probe learned a profile: it is part of the setup key (a model that takes no temperature). */
  readonly #probed: () => void;

  constructor(probed: () => void) {
    this.#probed = probed;
  }

  /**
   * Where the labels come from: the in-browser model while it is switched on,
   * else the endpoint in Settings. `description` names the teacher in the
   * methods paragraph and the Compare step.
   */
  get endpoint(): { baseURL: string; model: string; host: string; description: string } {
    const local = localTeacher.endpoint;
    if (local) return { ...local, host: local.baseURL, description: localTeacher.description };
    return { baseURL: app.settings.baseURL, model: app.settings.model, host: app.settings.host, description: app.settings.model };
  }

  /** The profile of the endpoint and model in Settings: remembered (probed) or guessed from the names. */
  get profile(): { profile: Capabilities; probed: boolean } {
    if (localTeacher.endpoint) return { profile: LOCAL_PROFILE, probed: true };
    const { baseURL, model } = app.settings;
    const known = this.profiles[profileKey(baseURL, model)];
    return known ? { profile: known, probed: known.probed } : { profile: guessProfile(baseURL, model), probed: false };
  }

  /** The price runs of the current model are costed at, and where it comes from. */
  get priceInfo(): PriceInfo {
    const { baseURL, model } = localTeacher.endpoint ?? app.settings;
    return priceInfo(baseURL, model, this.prices);
  }

  /** Profiles learned earlier and the price table, from the store (once). */
  load(): Promise<void> {
    return (this.#loaded ??= loadProfiles(store).then(
      ({ profiles, prices }) => {
        this.profiles = profiles;
        this.prices = prices;
      },
      (e: unknown) => {
        this.#loaded = null;
        throw e;
      },
    ));
  }

  /** Remembers a profile learned (by a probe or a run's rejected parameter). */
  async remember(settings: TeacherSettings, caps: Capabilities): Promise<void> {
    this.profiles = { ...this.profiles, [profileKey(settings.baseURL, settings.model)]: { ...caps } };
    await saveProfile(store, settings.baseURL, settings.model, caps);
  }

  /**
   * The probed profile of the setup's endpoint and model: remembered, or
   * probed now with one cheap request. Throws when the probe shows a run
   * cannot work (no quota, bad key, unknown model); falls back to the names'
   * guess when the server is only busy (429, 5xx, timeout).
   */
  async ensure(c: TeacherSetup, force = false): Promise<{ profile: Capabilities; note: string | null }> {
    const known = knownCapabilities(c.settings.baseURL, c.settings.model);
    if (known?.probed && !force) return { profile: known, note: null };
    this.probing = true;
    const abort = (this.#probeAbort = new AbortController());
    try {
      const { createClient, probeCapabilities } = await import('../teacher/client');
      const res = await probeCapabilities(createClient(c.settings), c.settings, { force: true, signal: abort.signal });
      if (res.ok) {
        await this.remember(c.settings, res.capabilities);
        this.#probed();
        return { profile: res.capabilities, note: null };
      }
      if (res.kind !== 'transient') throw new Error(res.message);
      return { profile: c.caps, note: `The model could not be checked (${res.message}); its name's guess is used.` };
    } finally {
      this.probing = false;
      if (this.#probeAbort === abort) this.#probeAbort = null;
    }
  }

  abortProbe(): void {
    this.#probeAbort?.abort();
  }

  /** Probes the setup's endpoint and model again (the "Check model" button). */
  async check(setup: () => TeacherSetup | string): Promise<void> {
    this.probeMessage = null;
    try {
      await this.load();
      const c = setup();
      if (typeof c === 'string') throw new Error(c);
      const { profile, note } = await this.ensure(c, true);
      this.probeMessage = { ok: note === null, text: note ?? `Checked ${c.settings.model}: ${describeProfile(profile)}.` };
    } catch (e) {
      this.probeMessage = { ok: false, text: errorText(e) };
    }
  }

  /** Saves the user's price for a model (USD per 1M input/output tokens). */
  async setPrice(model: string, price: Price): Promise<void> {
    this.prices = { ...this.prices, [model]: price };
    await savePrices(store, $state.snapshot(this.prices));
  }

  /** The price a run is costed at: the user's, else the list price, else free on a local server, else null (unknown). */
  priceOf(baseURL: string, model: string): Price | null {
    return priceInfo(baseURL, model, this.prices).price;
  }

  reset(): void {
    this.#loaded = null;
    this.#probeAbort = null;
    this.prices = {};
    this.profiles = {};
    this.probing = false;
    this.probeMessage = null;
  }
}

// How a text's repeats are split into requests. Shared by the queue, the cost
// estimate and the Batch API export so all three agree on calls and keys.

export interface PlannedRequest {
  /** Repeat index of the first answer this request yields. */
  firstRepeat: number;
  /** Answers asked for in this request (the `n` parameter when > 1). */
  n: number;
  /** Temperature to send; null = leave it out (endpoint default). */
  temperature: number | null;
}

export interface PlanOptions {
  repeats: number;
  /** Ask for several answers in one request with `n`. */
  useN: boolean;
  temperature: number;
  repeatTemperature: number;
  /** False when the endpoint rejects a temperature parameter. */
  temperatureAllowed: boolean;
}

/** The temperature repeat `r` is asked at: repeat 0 at `temperature`, the rest at `repeatTemperature`. */
export function repeatTemperatureOf(r: number, o: Omit<PlanOptions, 'repeats' | 'useN'>): number | null {
  if (!o.temperatureAllowed) return null;
  return r === 0 ? o.temperature : o.repeatTemperature;
}

/**
 * Requests for one text. Without `n`: one request per repeat. With `n`:
 * consecutive repeats at the same temperature share one request, so with the
 * defaults (0 then 0.7) repeat 0 goes alone and repeats 1..N-1 go together.
 * Each repeat keeps its own temperature either way, which is what makes the
 * cache keys of both paths identical and interchangeable.
 */
export function planRequests(o: PlanOptions): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const t = repeatTemperatureOf(r, o);
    const last = out.at(-1);
    if (o.useN && last && last.temperature === t) last.n += 1;
    else out.push({ firstRepeat: r, n: 1, temperature: t });
  }
  return out;
}

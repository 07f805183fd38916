// Adapting to what an endpoint accepts. Many OpenAI-compatible servers (and
// some OpenAI models) reject `n`, a non-default temperature or
// `response_format` with a 400 naming the parameter; we drop it and retry
// instead of failing the run.

import { TeacherRequestError, type Capabilities, type CompletionRequest } from './types';

export type AdaptableParam = 'n' | 'temperature' | 'response_format';

const PARAMS: AdaptableParam[] = ['n', 'temperature', 'response_format'];

/** Which parameter of `req` a 400 rejected, if it is one we can drop; else null. */
export function rejectedParam(err: unknown, req: CompletionRequest): AdaptableParam | null {
  if (!(err instanceof TeacherRequestError) || err.kind !== 'http' || (err.status !== 400 && err.status !== 422)) {
    return null;
  }
  const sent: Record<AdaptableParam, boolean> = {
    n: (req.n ?? 1) > 1,
    temperature: req.temperature !== undefined,
    response_format: req.structured,
  };
  const named = err.param && (PARAMS as string[]).includes(err.param) ? (err.param as AdaptableParam) : null;
  if (named) return sent[named] ? named : null;
  // Servers that give no `param` usually quote the name in the message.
  const msg = err.message.toLowerCase();
  for (const p of PARAMS) {
    const quoted = [`'${p}'`, `"${p}"`, `\`${p}\``].some((q) => msg.includes(q));
    const bare = p !== 'n' && msg.includes(p);
    if (sent[p] && (quoted || bare)) return p;
  }
  return null;
}

/** Capabilities after the endpoint rejected `param`. */
export function withoutParam(caps: Capabilities, param: AdaptableParam): Capabilities {
  if (param === 'n') return { ...caps, n: false };
  if (param === 'temperature') return { ...caps, temperature: false };
  return { ...caps, structured: false };
}

// Node only (tests, bench, e2e): the real in-browser-teacher model prepared
// by scripts/models/causal_lm.py (`npm run models`), if it is there. Same
// rules as scripts/models/paths.mjs: <models dir> is SURROGATE_MODELS_DIR or
// <repo>/.cache/models, the model sits in <models dir>/hub/<modelId>, and it
// counts only when its surrogate-check.json passed.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Codebook } from '../../src/lib/codebook/types';

export const REAL_LM = 'HuggingFaceTB/SmolLM2-135M-Instruct';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** What causal_lm.py measured and kept (surrogate-check.json). */
export interface CausalLMCheck {
  pass: boolean;
  n: number;
  precisions: Record<
    string,
    {
      file: string;
      bytes: number;
      maxAbsDiffFull: number;
      maxAbsDiffCached: number;
      maxAbsDiffCachedVsFull: number;
      sameTopLabel: number;
    }
  >;
  reference: {
    codebook: Codebook;
    system: string;
    labels: string[];
    sharedTokens: number;
    /** PyTorch (whole sequences) in `probs`; onnxruntime (CPU, with the cache as the app runs it) per precision in `ort`. */
    texts: { id: string; text: string; user: string; ids: number[][]; probs: number[]; ort: Record<string, number[]> }[];
  };
}

export function hubDir(): string {
  return join(resolve(process.env.SURROGATE_MODELS_DIR || join(REPO, '.cache', 'models')), 'hub');
}

/** The prepared model's folder and check, or the one-line reason it cannot be used. */
export function preparedCausalLM(modelId = REAL_LM): { dir: string; check: CausalLMCheck } | { dir: string; reason: string } {
  const dir = join(hubDir(), modelId);
  const file = join(dir, 'surrogate-check.json');
  if (!existsSync(file)) return { dir, reason: `${modelId} is not prepared in ${dir} (run \`npm run models\`)` };
  const check = JSON.parse(readFileSync(file, 'utf8')) as CausalLMCheck;
  if (!check.pass) return { dir, reason: `${modelId} in ${dir} failed its check against PyTorch (see surrogate-check.json)` };
  return { dir, check };
}

// Small display helpers for the Train step.
import type { LinearSearchInfo } from '$lib/state/student.svelte';
import { decisionText } from '$lib/train/decision';
import { SELECTION_SCORE_NAMES } from '$lib/train/linear-search';

/** "about 2 min left" style text; '' when unknown. */
export function etaText(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `about ${s} s left`;
  const m = Math.round(s / 60);
  return m < 90 ? `about ${m} min left` : `about ${(m / 60).toFixed(1)} h left`;
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export const thousands = (n: number) => n.toLocaleString('en');

/** Learning rates as written by people: 0.001 → 1e-3, 0.03 → 3e-2. */
export function lrText(x: number): string {
  return x >= 0.1 || x === 0 ? String(x) : x.toExponential();
}

/** C values as people write them: 0.0316 → 0.0316, 31.6 → 31.6, 100 → 100. */
export const cText = (c: number) => String(Number(c.toPrecision(3)));

/** The chosen configuration of a head in one line, with the linear head's selection score and decision rule. */
export function configText(
  best: { kind: string; C: number; classWeights: boolean; lr: number; batchSize: number; epochs: number },
  search?: Pick<LinearSearchInfo, 'calibration' | 'score' | 'decision'> | null,
  positive?: string | null,
): string {
  if (best.kind === 'linear') {
    const base = `C = ${cText(best.C)}, ${best.classWeights ? 'balanced' : 'no'} class weights`;
    // Records from before the decision rule was recorded: say only what they hold.
    if (!search?.decision) return `${base}${search?.calibration ? ', recalibrated out-of-fold' : ''}`;
    return `${base}, selected by out-of-fold ${SELECTION_SCORE_NAMES[search.score ?? 'logloss']}; decision rule: ${decisionText(search.decision, positive)}`;
  }
  return `learning rate ${lrText(best.lr)}, batch size ${best.batchSize}, ${best.epochs} epochs`;
}

/** Head names for people. */
export const HEAD_NAMES: Record<string, string> = {
  linear: 'logistic regression (cross-validated C)',
  logreg: 'logistic regression, Adam (as in the paper)',
  mlp: 'MLP, Adam (as in the paper)',
};

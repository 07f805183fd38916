// Area under the ROC curve from class probabilities: the chance that a random
// text of the class scores higher than a random text of another (ties count
// half). It is the one threshold-free figure beside the thresholded ones, so
// a student whose decisions were shifted still shows whether it ranks texts
// at all (0.5 = no better than chance; below 0.5 = inverted).

/**
 * Binary AUC of `score` for the rows whose `yTrue` is `cls` against all other
 * valid rows; null when either side is empty.
 */
export function binaryAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>, cls: number): number | null {
  const idx: number[] = [];
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] >= 0 && Number.isFinite(score[i])) idx.push(i);
  idx.sort((a, b) => score[a] - score[b]);
  let pos = 0;
  let rankSum = 0;
  // Mid-ranks over runs of equal scores.
  for (let s = 0; s < idx.length;) {
    let e = s;
    while (e + 1 < idx.length && score[idx[e + 1]] === score[idx[s]]) e++;
    const mid = (s + e) / 2 + 1;
    for (let j = s; j <= e; j++)
      if (yTrue[idx[j]] === cls) {
        pos++;
        rankSum += mid;
      }
    s = e + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * AUC from n × nClasses probabilities: of the positive class when there is
 * one, else the mean one-vs-rest AUC over classes present (scikit-learn's
 * roc_auc_score(multi_class='ovr', average='macro')). Null when undefined.
 */
export function aucOf(yTrue: ArrayLike<number>, probs: ArrayLike<number>, nClasses: number, positive: number | null): number | null {
  const n = yTrue.length;
  if (probs.length !== n * nClasses) throw new RangeError(`Got ${probs.length} probabilities for ${n} rows × ${nClasses} classes.`);
  const column = (c: number) => Float64Array.from({ length: n }, (_, i) => probs[i * nClasses + c]);
  if (positive !== null) return binaryAuc(yTrue, column(positive), positive);
  const per = Array.from({ length: nClasses }, (_, c) => binaryAuc(yTrue, column(c), c)).filter((v): v is number => v !== null);
  return per.length ? per.reduce((a, b) => a + b, 0) / per.length : null;
}

"""cleanlab beside scikit-learn on the parity bench's rows (issue 26, Part 2).

What a Python user would try against noisy LLM labels: on the same training
rows and features as parity.py's `same_ll` reference (the app's word 1-2 +
char 3-5-gram TF-IDF fitted on the training pool, rows scaled by
1/sqrt(blocks), LogisticRegression selected by out-of-fold log loss over the
same C x class-weight grid), cleanlab's `find_label_issues` on 5-fold
out-of-fold probabilities of the selected setting flags likely label errors;
the flagged rows are dropped and the same search is refit on the rest.
Both are scored against the human test labels: macro F1 and Cohen's kappa,
per case and per dataset (mean over seeds), with a paired bootstrap CI of
cleanlab - plain (test rows resampled within each seed, 2,000 resamples,
the same resamples for both). A peer to compare with, never in the app.

usage: cleanlab_peer.py CASES.json [CASES2.json ...] OUT.json
  CASES: parity.py's input (bench/lib/parity.mjs writes it; PARITY_CASES_OUT keeps a copy).
"""
import json
import sys
import time
import warnings

import numpy as np
from cleanlab.filter import find_label_issues
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict

from parity import CLASS_WEIGHTS, CS, block_scaled, choose_folds, same_features

RESAMPLES = 2000


def search(X, y, seed):
    k, _ = choose_folds(y)
    if k == 0:
        return LogisticRegression(max_iter=1000).fit(X, y), {'C': 1.0, 'class_weight': None}, 0
    s = GridSearchCV(LogisticRegression(max_iter=1000), {'C': CS, 'class_weight': CLASS_WEIGHTS},
                     cv=StratifiedKFold(k, shuffle=True, random_state=seed), scoring='neg_log_loss', n_jobs=1)
    s.fit(X, y)
    return s.best_estimator_, s.best_params_, k


def run_case(case, union):
    seed = int(case['seed'])
    ytr = np.asarray(case['train']['y'], dtype=int)
    yte = np.asarray(case['test']['y'], dtype=int)
    Xtr = block_scaled(union, union.transform(case['train']['texts']))
    Xte = block_scaled(union, union.transform(case['test']['texts']))
    plain, params, k = search(Xtr, ytr, seed)
    flagged = np.zeros(len(ytr), dtype=bool)
    cl = plain
    if k >= 2:
        probs = cross_val_predict(LogisticRegression(max_iter=1000, **params), Xtr, ytr,
                                  cv=StratifiedKFold(k, shuffle=True, random_state=seed), method='predict_proba')
        flagged = find_label_issues(ytr, probs)
        keep = ~flagged
        if np.bincount(ytr[keep], minlength=2).min() >= 2:
            cl, _, _ = search(Xtr[keep], ytr[keep], seed)
    return {
        'key': case['key'], 'dataset': case['dataset'], 'seed': seed, 'source': case['source'],
        'trainN': int(len(ytr)), 'flagged': int(flagged.sum()), 'C': float(params['C']),
        'y': yte.tolist(), 'plain': plain.predict(Xte).astype(int).tolist(), 'cleanlab': cl.predict(Xte).astype(int).tolist(),
    }


def macro_f1(y, p):
    out = 0.0
    for c in (0, 1):
        tp = np.sum((p == c) & (y == c), axis=-1)
        fp = np.sum((p == c) & (y != c), axis=-1)
        fn = np.sum((p != c) & (y == c), axis=-1)
        d = 2 * tp + fp + fn
        out = out + np.where(d > 0, 2 * tp / np.maximum(d, 1), 0.0)
    return out / 2


def kappa(y, p):
    po = np.mean(p == y, axis=-1)
    pe = np.mean(p == 1, axis=-1) * np.mean(y == 1, axis=-1) + np.mean(p == 0, axis=-1) * np.mean(y == 0, axis=-1)
    return np.where(pe < 1, (po - pe) / np.where(pe < 1, 1 - pe, 1), 0.0)


def summarise(results):
    rng = np.random.default_rng(42)
    by = {}
    for r in results:
        by.setdefault((r['dataset'], r['source']), []).append(r)
    rows = []
    for (dataset, source), runs in sorted(by.items()):
        row = {'dataset': dataset, 'source': source, 'seeds': len(runs), 'flagged': float(np.mean([r['flagged'] / r['trainN'] for r in runs]))}
        for name, metric in (('macroF1', macro_f1), ('kappa', kappa)):
            plain = np.mean([metric(np.array(r['y']), np.array(r['plain'])) for r in runs])
            clean = np.mean([metric(np.array(r['y']), np.array(r['cleanlab'])) for r in runs])
            diffs = np.zeros(RESAMPLES)
            for r in runs:
                y, a, b = np.array(r['y']), np.array(r['plain']), np.array(r['cleanlab'])
                idx = rng.integers(0, len(y), size=(RESAMPLES, len(y)))
                diffs += (metric(y[idx], b[idx]) - metric(y[idx], a[idx])) / len(runs)
            row[name] = {'plain': float(plain), 'cleanlab': float(clean), 'diff': float(clean - plain),
                         'lo': float(np.quantile(diffs, 0.025)), 'hi': float(np.quantile(diffs, 0.975))}
        rows.append(row)
    return rows


def main(argv):
    if len(argv) < 3:
        sys.exit('usage: cleanlab_peer.py CASES.json [CASES2.json ...] OUT.json')
    cases = [c for f in argv[1:-1] for c in json.load(open(f, encoding='utf-8'))['cases']]
    import cleanlab
    import sklearn
    t0 = time.perf_counter()
    results = []
    union, key = None, None
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        for i, case in enumerate(cases):
            if case['poolKey'] != key:
                key, union = case['poolKey'], same_features().fit(case['pool']['texts'])
            results.append(run_case(case, union))
            print(f"  cleanlab {i + 1}/{len(cases)} {case['key']}: flagged {results[-1]['flagged']} of {results[-1]['trainN']}",
                  file=sys.stderr, flush=True)
    summary = summarise(results)
    with open(argv[-1], 'w', encoding='utf-8') as f:
        json.dump({'cleanlab': cleanlab.__version__, 'sklearn': sklearn.__version__, 'seconds': time.perf_counter() - t0,
                   'summary': summary, 'results': results}, f)
    print('| dataset | seeds | flagged | macro F1 plain → cleanlab (Δ [95% CI]) | κ plain → cleanlab (Δ [95% CI]) |')
    print('|---|---:|---:|---|---|')
    for r in summary:
        cell = lambda m: f"{m['plain']:.3f} → {m['cleanlab']:.3f} ({m['diff']:+.3f} [{m['lo']:+.3f}, {m['hi']:+.3f}])"
        print(f"| {r['dataset']} | {r['seeds']} | {r['flagged'] * 100:.0f}% | {cell(r['macroF1'])} | {cell(r['kappa'])} |")


if __name__ == '__main__':
    main(sys.argv)

#!/usr/bin/python3
"""scikit-learn references for `npm run bench -- --only parity` (bench/lib/parity.mjs).

Reads the cases bench/node/parity.ts wrote (the app's training rows and the
human test rows of each dataset x seed x label source) and fits, on exactly
those rows:

  plain  the "ten lines of Python" a researcher would write:
         Pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)) in
         GridSearchCV(C = logspace(-2, 2, 9) x class_weight None/balanced,
         StratifiedKFold(5, shuffle=True, random_state=seed), scoring='f1'),
         refit on all training rows; the vectorizer is fitted on the training
         texts (inside each CV fold too), as a Pipeline does.
  same   the app's feature definition: FeatureUnion of word 1-2-gram and
         char_wb 3-5-gram TfidfVectorizers (sublinear_tf, min_df=2), fitted
         on the training-pool texts as the app fits its TF-IDF, then the same
         GridSearchCV over LogisticRegression alone (a solver-parity check).
  same_scaled
         `same` with each row scaled by 1/sqrt(blocks the row has terms in),
         as src/lib/embed/tfidf.ts scales its blocks (diagnostic only).
  same_ll
         `same_scaled` (the app's feature matrix) with C x class_weight chosen
         by out-of-fold log loss (scoring='neg_log_loss', the app's default
         selection score since issue 26), refit, plain argmax.

Nothing here is tuned to a dataset: the grids are the ones above for every
case. Usage: parity.py IN.json OUT.json. Needs python3-sklearn (Debian).
"""
import json
import os
import sys
import time
import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

CS = np.logspace(-2, 2, 9)
CLASS_WEIGHTS = [None, 'balanced']
FOLDS = 5


def choose_folds(y):
    """5 folds, cut to the smallest class's count (>= 2), as the app's chooseFolds; 0 = cannot cross-validate."""
    counts = np.bincount(y, minlength=2)
    present = counts[counts > 0]
    if len(present) < 2 or present.min() < 2:
        return 0, 'a class has fewer than 2 training labels: C = 1 without class weights, no CV'
    if present.min() >= FOLDS:
        return FOLDS, None
    k = int(present.min())
    return k, f'smallest class has {k} training labels: {k}-fold CV instead of {FOLDS}'


def same_features():
    return FeatureUnion([
        ('word', TfidfVectorizer(analyzer='word', ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
        ('char', TfidfVectorizer(analyzer='char_wb', ngram_range=(3, 5), sublinear_tf=True, min_df=2)),
    ])


def block_scaled(union, X):
    """Rows scaled by 1/sqrt(number of blocks with a non-zero entry) (the app's scaling)."""
    widths = [len(t.vocabulary_) for _, t in union.transformer_list]
    X = sparse.csr_matrix(X)
    blocks = np.zeros(X.shape[0])
    start = 0
    for w in widths:
        blocks += (X[:, start:start + w].getnnz(axis=1) > 0)
        start += w
    scale = 1 / np.sqrt(np.maximum(blocks, 1))
    return sparse.diags(scale) @ X


def fit_and_score(estimator, grid, Xtr, ytr, Xte, yte, seed, scoring='f1'):
    k, note = choose_folds(ytr)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', ConvergenceWarning)
        if k == 0:
            best = {n: (1.0 if n.endswith('C') else None) for n in grid}
            model = estimator.set_params(**best).fit(Xtr, ytr)
            cv = None
        else:
            search = GridSearchCV(estimator, grid, cv=StratifiedKFold(k, shuffle=True, random_state=seed), scoring=scoring, n_jobs=1)
            search.fit(Xtr, ytr)
            model, best, cv = search.best_estimator_, search.best_params_, float(search.best_score_)
    unconverged = sum(1 for w in caught if issubclass(w.category, ConvergenceWarning))
    pred = model.predict(Xte)
    proba = model.predict_proba(Xte)[:, 1]
    param = lambda suffix: next(v for n, v in best.items() if n.endswith(suffix))
    return {
        'f1': float(f1_score(yte, pred, zero_division=0)),
        'precision': float(precision_score(yte, pred, zero_division=0)),
        'recall': float(recall_score(yte, pred, zero_division=0)),
        'macroF1': float(f1_score(yte, pred, average='macro', zero_division=0)),
        'accuracy': float(accuracy_score(yte, pred)),
        'kappa': float(cohen_kappa_score(yte, pred)) if len(set(pred)) > 1 or len(set(yte)) > 1 else None,
        'auc': float(roc_auc_score(yte, proba)) if len(set(yte)) > 1 else None,
        'positiveRate': float(np.mean(pred == 1)),
        'C': float(param('C')),
        'classWeight': 'balanced' if param('class_weight') == 'balanced' else 'none',
        'cvF1': cv,
        'folds': k,
        'note': note,
        'unconverged': unconverged,
        'seconds': time.perf_counter() - t0,
    }


def run_case(case, pool_features):
    seed = int(case['seed'])
    ytr = np.asarray(case['train']['y'], dtype=int)
    yte = np.asarray(case['test']['y'], dtype=int)
    tr, te = case['train']['texts'], case['test']['texts']
    out = {'key': case['key']}

    plain = Pipeline([('tfidf', TfidfVectorizer()), ('lr', LogisticRegression(max_iter=1000))])
    out['plain'] = fit_and_score(plain, {'lr__C': CS, 'lr__class_weight': CLASS_WEIGHTS}, tr, ytr, te, yte, seed)
    # The refitted pipeline's vocabulary: fitted on all training texts.
    out['plain']['features'] = len(TfidfVectorizer().fit(tr).vocabulary_)

    # PARITY_REFERENCES=plain,same_ll fits only those (a busy machine); the others are left out of the output.
    wanted = set(os.environ.get('PARITY_REFERENCES', 'plain,same,same_scaled,same_ll').split(','))
    union = pool_features(case)
    Xtr, Xte = union.transform(tr), union.transform(te)
    grid = {'C': CS, 'class_weight': CLASS_WEIGHTS}
    if 'same' in wanted:
        out['same'] = fit_and_score(LogisticRegression(max_iter=1000), grid, Xtr, ytr, Xte, yte, seed)
        out['same']['features'] = int(Xtr.shape[1])
    if 'same_scaled' in wanted:
        out['same_scaled'] = fit_and_score(
            LogisticRegression(max_iter=1000), grid, block_scaled(union, Xtr), ytr, block_scaled(union, Xte), yte, seed)
        out['same_scaled']['features'] = int(Xtr.shape[1])
    if 'same_ll' in wanted:
        out['same_ll'] = fit_and_score(
            LogisticRegression(max_iter=1000), grid, block_scaled(union, Xtr), ytr, block_scaled(union, Xte), yte, seed,
            scoring='neg_log_loss')
        out['same_ll']['features'] = int(Xtr.shape[1])
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit('usage: parity.py IN.json OUT.json')
    with open(argv[1], encoding='utf-8') as f:
        data = json.load(f)
    fitted = {}

    def pool_features(case):
        key = case['poolKey']
        if key not in fitted:
            fitted.clear()  # cases come grouped by dataset x seed; keep one fitted union at a time
            fitted[key] = same_features().fit(case['pool']['texts'])
        return fitted[key]

    import sklearn
    results = []
    t0 = time.perf_counter()
    for i, case in enumerate(data['cases']):
        r = run_case(case, pool_features)
        results.append(r)
        refs = ', '.join(f"{name} {r[name]['f1']:.3f}" for name in ('plain', 'same', 'same_scaled', 'same_ll') if name in r)
        print(f"  sklearn {i + 1}/{len(data['cases'])} {case['key']}: {refs}", file=sys.stderr, flush=True)
    with open(argv[2], 'w', encoding='utf-8') as f:
        json.dump({'sklearn': sklearn.__version__, 'numpy': np.__version__, 'python': sys.version.split()[0],
                   'seconds': time.perf_counter() - t0, 'results': results}, f)


if __name__ == '__main__':
    main(sys.argv)

"""Python peers for `npm run bench -- --only real-encoders` (bench/lib/real-encoders.mjs).

Reads the cases bench/node/real-encoders.ts planned (the app's training rows
and the human test rows of each dataset x seed x label source) and fits, on
exactly those rows, the peers a researcher would reach for:

  lr        sentence-transformers vectors of the same base model (its own
            pipeline: mean pooling + Normalize, max_seq_length 256) ->
            LogisticRegression in GridSearchCV(C = logspace(-2, 2, 9) x
            class_weight None/balanced, StratifiedKFold(5, shuffle,
            random_state=seed), scoring 'f1'): the app's student search
            (bench/python/parity.py's grid) on the reference vectors.
  setfit    SetFit (setfit 1.x) with the same base model: contrastive
            fine-tuning of the body on pairs, then its LogisticRegression head.
            Reduced to fit two shared CPU cores: num_iterations and epochs as
            given in the input (see bench/README.md).
  finetune  the same model fine-tuned end to end with a linear
            classification head on the [CLS]-pooled output (transformers'
            BertForSequenceClassification), AdamW, linear decay with 10 %
            warm-up, batch 16, max 256 tokens. Grid lr x epochs chosen on a
            stratified 20 % holdout of the training labels (the same labels
            the student sees: LLM or human); the chosen checkpoint (trained
            on the other 80 %) is scored on the test rows.

Each case's result is written to OUT.json as soon as it is done, so a long
run can be stopped and merged as far as it got. Usage:
  real_encoders.py IN.json OUT.json
Runs in the models venv (<models dir>/venv: torch CPU, sentence-transformers,
setfit, scikit-learn).
"""
import json
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

CS = np.logspace(-2, 2, 9)
CLASS_WEIGHTS = [None, 'balanced']
FOLDS = 5


def scores(y, pred):
    y, pred = np.asarray(y), np.asarray(pred)
    kappa = float(cohen_kappa_score(y, pred)) if len(set(y.tolist()) | set(pred.tolist())) > 1 else None
    return {
        'f1': float(f1_score(y, pred, zero_division=0)),
        'macroF1': float(f1_score(y, pred, average='macro', labels=[0, 1], zero_division=0)),
        'accuracy': float(accuracy_score(y, pred)),
        'kappa': kappa,
        'positiveRate': float(np.mean(pred == 1)),
    }


def choose_folds(y):
    counts = np.bincount(y, minlength=2)
    return 0 if counts.min() < 2 else int(min(FOLDS, counts.min()))


class Vectors:
    """sentence-transformers vectors of every text asked for, computed once per text."""

    def __init__(self, model):
        self.model = model
        self.cache = {}

    def __call__(self, texts):
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            for t, v in zip(todo, self.model.encode(todo, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts])


def run_lr(case, vectors):
    seed = int(case['seed'])
    ytr = np.asarray(case['train']['y'], dtype=int)
    Xtr, Xte = vectors(case['train']['texts']), vectors(case['test']['texts'])
    k = choose_folds(ytr)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        if k == 0:
            model, best = LogisticRegression(max_iter=1000).fit(Xtr, ytr), {'C': 1.0, 'class_weight': None}
        else:
            search = GridSearchCV(LogisticRegression(max_iter=1000), {'C': CS, 'class_weight': CLASS_WEIGHTS},
                                  cv=StratifiedKFold(k, shuffle=True, random_state=seed), scoring='f1', n_jobs=1)
            search.fit(Xtr, ytr)
            model, best = search.best_estimator_, search.best_params_
    out = scores(case['test']['y'], model.predict(Xte))
    out.update({'C': float(best['C']), 'classWeight': 'balanced' if best['class_weight'] == 'balanced' else 'none',
                'seconds': time.perf_counter() - t0})
    return out


def run_setfit(case, model_dir, cfg):
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments
    t0 = time.perf_counter()
    model = SetFitModel.from_pretrained(model_dir)
    args = TrainingArguments(batch_size=16, num_epochs=cfg['epochs'], num_iterations=cfg['iterations'], seed=int(case['seed']),
                             max_length=256, show_progress_bar=False, report_to='none', save_strategy='no',
                             output_dir=os.path.join(cfg['tmp'], 'setfit'))
    train = Dataset.from_dict({'text': case['train']['texts'], 'label': case['train']['y']})
    Trainer(model=model, args=args, train_dataset=train).train()
    pred = np.asarray(model.predict(case['test']['texts'], batch_size=32)).astype(int)
    out = scores(case['test']['y'], pred)
    out.update({'iterations': cfg['iterations'], 'epochs': cfg['epochs'], 'seconds': time.perf_counter() - t0})
    return out


def run_finetune(case, model_dir, cfg):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup
    t0 = time.perf_counter()
    seed = int(case['seed'])
    tok = AutoTokenizer.from_pretrained(model_dir)
    texts, y = case['train']['texts'], np.asarray(case['train']['y'], dtype=int)
    idx = np.arange(len(texts))
    fit_i, hold_i = train_test_split(idx, test_size=0.2, stratify=y if np.bincount(y).min() >= 2 else None, random_state=seed)

    def batches(ts, bs, order=None):
        order = np.arange(len(ts)) if order is None else order
        for s in range(0, len(order), bs):
            part = [ts[i] for i in order[s:s + bs]]
            yield order[s:s + bs], tok(part, padding=True, truncation=True, max_length=256, return_tensors='pt')

    def predict(model, ts):
        model.eval()
        out = np.zeros(len(ts), dtype=int)
        with torch.no_grad():
            for ids, enc in batches(ts, 32):
                out[ids] = model(**enc).logits.argmax(-1).numpy()
        return out

    hold_texts, hold_y = [texts[i] for i in hold_i], y[hold_i]
    runs = []
    for lr in cfg['lrs']:
        torch.manual_seed(seed)
        model = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=2)
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        epochs = max(cfg['epochs'])
        steps = epochs * ((len(fit_i) + 15) // 16)
        sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
        rng = np.random.default_rng(seed)
        fit_texts, fit_y = [texts[i] for i in fit_i], torch.tensor(y[fit_i])
        for epoch in range(1, epochs + 1):
            model.train()
            for ids, enc in batches(fit_texts, 16, rng.permutation(len(fit_texts))):
                loss = model(**enc, labels=fit_y[ids]).loss
                loss.backward()
                opt.step()
                sched.step()
                opt.zero_grad()
            if epoch in cfg['epochs']:
                hold = scores(hold_y, predict(model, hold_texts))
                test = scores(case['test']['y'], predict(model, case['test']['texts']))
                runs.append({'lr': lr, 'epochs': epoch, 'holdoutF1': hold['f1'], 'test': test})
                print(f"    finetune {case['key']} lr {lr} epoch {epoch}: holdout F1 {hold['f1']:.3f}, test F1 {test['f1']:.3f}",
                      file=sys.stderr, flush=True)
    best = max(runs, key=lambda r: r['holdoutF1'])  # ties: the first (smaller lr, fewer epochs)
    out = dict(best['test'])
    out.update({'lr': best['lr'], 'epochs': best['epochs'], 'trainN': len(fit_i), 'holdoutN': len(hold_i),
                'grid': [{k: r[k] for k in ('lr', 'epochs', 'holdoutF1')} | {'testF1': r['test']['f1']} for r in runs],
                'seconds': time.perf_counter() - t0})
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit('usage: real_encoders.py IN.json OUT.json')
    with open(argv[1], encoding='utf-8') as f:
        data = json.load(f)
    import torch
    torch.set_num_threads(int(data.get('threads', 1)))
    import sentence_transformers
    import sklearn
    from sentence_transformers import SentenceTransformer
    model_dir = data['model']
    peers = data['peers']
    vectors = Vectors(SentenceTransformer(model_dir, device='cpu')) if 'lr' in peers else None
    meta = {'sklearn': sklearn.__version__, 'sentenceTransformers': sentence_transformers.__version__, 'torch': torch.__version__,
            'python': sys.version.split()[0], 'model': model_dir}
    try:
        import setfit
        meta['setfit'] = setfit.__version__
    except ImportError:
        pass
    results = []
    t0 = time.perf_counter()
    for i, case in enumerate(data['cases']):
        r = {'key': case['key']}
        for peer in case.get('peers', peers):
            if peer == 'lr':
                r['lr'] = run_lr(case, vectors)
            elif peer == 'setfit':
                r['setfit'] = run_setfit(case, model_dir, data['setfit'])
            elif peer == 'finetune':
                r['finetune'] = run_finetune(case, model_dir, data['finetune'])
        results.append(r)
        print(f"  python {i + 1}/{len(data['cases'])} {case['key']}: " +
              ', '.join(f"{p} F1 {r[p]['f1']:.3f} ({r[p]['seconds']:.0f} s)" for p in r if p != 'key'), file=sys.stderr, flush=True)
        with open(argv[2] + '.part', 'w', encoding='utf-8') as f:
            json.dump(meta | {'seconds': time.perf_counter() - t0, 'results': results}, f)
        os.replace(argv[2] + '.part', argv[2])


if __name__ == '__main__':
    main(sys.argv)

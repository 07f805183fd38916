#!/usr/bin/env node
// Writes tiny, synthetic encoders in the transformers.js folder layout so
// tests and the offline demo can run the real embedding path (tokenizer →
// ONNX Runtime → pooling) without a model hub or pretrained weights.
//
//   node scripts/make-tiny-model.mjs [outDir]   (default: tests/fixtures/models)
//   node scripts/make-tiny-model.mjs outDir --dim 768 --name tiny-distilbert-768
//     writes only the tiny-distilbert graph, this wide, under that name
//     (the scale benchmark's 768-dimensional encoder: DistilBERT's width).
//
// Output, per model: <outDir>/<name>/{config.json, tokenizer.json,
// tokenizer_config.json, special_tokens_map.json, README.md,
// onnx/model.onnx, onnx/model_quantized.onnx}.
//
// tiny-distilbert: Gather(word_embeddings, input_ids) → Tanh →
// last_hidden_state, one token at a time; attention_mask is a declared but
// unused input (the pooling applies it). Its [CLS] vector is the same for
// every text, so it only suits mean pooling.
//
// tiny-bert: BERT-style inputs (input_ids, attention_mask, token_type_ids)
// and one context-mixing layer, so that, as in a real BERT, the [CLS] output
// depends on the whole text and differs from the mean of the outputs:
//   h = E[input_ids] + T[token_type_ids]
//   c = Σ mask·h / max(1, Σ mask)            (masked mean over the text)
//   last_hidden_state = tanh(h + c·A)
// Its tests recompute this from the initializers to check each pooling path.
//
// Weights come from a seeded PRNG, so the output is byte-identical on every
// run. Sentiment cue words get a strong +/- component in dimension 0 and lean
// towards a shared per-class direction, so a classifier head can separate
// short positive and negative texts; other tokens are small noise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DT, encodeModel, f32, gaussian, intAttr, mulberry32, tensorInfo, writeJson } from './onnx-build.mjs';

const flag = (name) => {
  const i = process.argv.indexOf(name);
  return i > 2 ? process.argv[i + 1] : undefined;
};
const WIDE = flag('--name');
const MODEL_NAME = WIDE ?? 'tiny-distilbert';
const BERT_NAME = 'tiny-bert';
const DIM = Number(flag('--dim') ?? 32);
const SEED = 20240625;
const BERT_SEED = 20241602;
const MIX = 0.5; // tiny-bert: spread of the context-mixing matrix A
const CUE = 2.0; // size of the sentiment component (dimension 0) before tanh
const PROTO = 0.6; // pull of cue words towards their class's shared direction
const NOISE = 0.3; // spread of every token's own random components

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const PUNCT = [...'.,!?\'":;-()&@#/*$%+='];
const POSITIVE = `great good love loved loves excellent amazing awesome best wonderful fantastic happy
  perfect nice enjoy enjoyed beautiful brilliant recommend favorite fun glad pleased superb delightful
  lovely outstanding impressive like liked thanks thank cool incredible masterpiece solid friendly
  helpful worth win fine pleasant charming fresh smooth delicious comfortable reliable perfectly
  fast easy`;
const NEGATIVE = `terrible bad awful hate hated hates worst horrible boring poor disappointing disappointed
  waste sad angry annoying broken useless ugly dull mess stupid fail failed refund rude slow problem
  wrong sucks dislike lame pathetic garbage trash nasty unhappy disaster mediocre overpriced worse
  bland weak disgusting dreadful dirty uncomfortable unreliable cheap stale badly damaged broke
  confusing late`;
const NEUTRAL = `the a an and or but is was are were be been being it this that these those i me my we our
  you your he she they them his her its of to in on at for with from by about as so very really just
  not no never too all some any more most much many one two three time day night movie film book
  product service food place story show phone app price quality order staff restaurant hotel room
  game music song actor acting plot ending character characters have has had do does did will would
  could should can get got go went make made see saw watch watched read buy bought use used work
  works think know feel felt look looks again ever even still also only other than then there here
  what when how why who which if because out up down over after before first last new old people
  thing things way lot little bit well back today now don didn isn wasn doesn t s m ve ll re
  review tweet customer experience everything nothing something season episode series director
  delivery battery screen size taste meal menu waiter price money hour hours minutes week year
  long short big small`;
const SUFFIXES = ['s', 'ed', 'ing', 'ly', 'er', 'est', 'ness', 'ful', 'less', 'able', 'y', 'ment', 'ion', 'ers', 'ies'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

function words(list) {
  return list.split(/\s+/).filter(Boolean);
}

/** The vocabulary in id order, and the sentiment sign of each token. */
function buildVocab(extra = []) {
  const sign = new Map();
  for (const w of words(POSITIVE)) sign.set(w, 1);
  for (const w of words(NEGATIVE)) sign.set(w, -1);
  const tokens = [];
  const seen = new Set();
  const add = (t) => {
    if (!seen.has(t)) {
      seen.add(t);
      tokens.push(t);
    }
  };
  // Single letters and digits (and their ## continuations) let WordPiece spell
  // out any ASCII word, so unknown words become pieces rather than [UNK].
  [...SPECIAL, ...PUNCT, ...words(NEUTRAL), ...extra, ...words(POSITIVE), ...words(NEGATIVE), ...LETTERS].forEach(add);
  [...SUFFIXES, ...LETTERS].forEach((s) => add('##' + s));
  return { tokens, sign };
}

function embeddings(tokens, sign, rand) {
  // Each sentiment also has one shared random direction, so cue words of a
  // class resemble each other beyond dimension 0 (as in a real encoder).
  const proto = { 1: [], [-1]: [] };
  for (let d = 0; d < DIM; d++) {
    proto[1].push(gaussian(rand));
    proto[-1].push(gaussian(rand));
  }
  const w = new Float32Array(tokens.length * DIM);
  tokens.forEach((tok, i) => {
    const s = sign.get(tok) ?? 0;
    for (let d = 1; d < DIM; d++) w[i * DIM + d] = NOISE * gaussian(rand) + (s ? PROTO * proto[s][d] : 0);
    w[i * DIM] = s * CUE + 0.05 * gaussian(rand);
    if (tok === '[PAD]') w.fill(0, i * DIM, (i + 1) * DIM);
  });
  return w;
}

function buildOnnx(weights, vocabSize) {
  const graph = {
    name: 'tiny_distilbert',
    initializer: [f32('word_embeddings', [vocabSize, DIM], weights)],
    node: [
      { name: 'embed', opType: 'Gather', input: ['word_embeddings', 'input_ids'], output: ['embedded'], attribute: [intAttr('axis', 0)] },
      { name: 'squash', opType: 'Tanh', input: ['embedded'], output: ['last_hidden_state'] },
    ],
    input: [
      tensorInfo('input_ids', DT.INT64, ['batch_size', 'sequence_length']),
      tensorInfo('attention_mask', DT.INT64, ['batch_size', 'sequence_length']),
    ],
    output: [tensorInfo('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', DIM])],
  };
  return encodeModel(graph, { producer: 'make-tiny-model', opset: 13 });
}

/** tiny-bert's graph (see the header): E, T and A are float32 initializers, the rest is shape plumbing. */
function buildBertOnnx(E, T, A, vocabSize) {
  const i64 = (name, values) => ({ name, dataType: DT.INT64, dims: [values.length], int64Data: values });
  const node = (name, opType, input, output, attribute = []) => ({ name, opType, input, output, attribute });
  const graph = {
    name: 'tiny_bert',
    initializer: [
      f32('word_embeddings', [vocabSize, DIM], E),
      f32('token_type_embeddings', [2, DIM], T),
      f32('mix', [DIM, DIM], A),
      i64('axis_seq', [1]),
      i64('axis_last', [2]),
      f32('one', [], Float32Array.of(1)),
    ],
    node: [
      node('words', 'Gather', ['word_embeddings', 'input_ids'], ['h_words'], [intAttr('axis', 0)]),
      node('types', 'Gather', ['token_type_embeddings', 'token_type_ids'], ['h_types'], [intAttr('axis', 0)]),
      node('embed', 'Add', ['h_words', 'h_types'], ['h']),
      node('mask_f', 'Cast', ['attention_mask'], ['mask_float'], [intAttr('to', DT.FLOAT)]),
      node('mask_3d', 'Unsqueeze', ['mask_float', 'axis_last'], ['mask3']),
      node('masked', 'Mul', ['h', 'mask3'], ['h_masked']),
      node('sum', 'ReduceSum', ['h_masked', 'axis_seq'], ['h_sum'], [intAttr('keepdims', 1)]),
      node('count', 'ReduceSum', ['mask3', 'axis_seq'], ['n_raw'], [intAttr('keepdims', 1)]),
      node('count_1', 'Max', ['n_raw', 'one'], ['n']),
      node('mean', 'Div', ['h_sum', 'n'], ['context']),
      node('mixing', 'MatMul', ['context', 'mix'], ['context_mixed']),
      node('residual', 'Add', ['h', 'context_mixed'], ['pre']),
      node('squash', 'Tanh', ['pre'], ['last_hidden_state']),
    ],
    input: [
      tensorInfo('input_ids', DT.INT64, ['batch_size', 'sequence_length']),
      tensorInfo('attention_mask', DT.INT64, ['batch_size', 'sequence_length']),
      tensorInfo('token_type_ids', DT.INT64, ['batch_size', 'sequence_length']),
    ],
    output: [tensorInfo('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', DIM])],
  };
  return encodeModel(graph, { producer: 'make-tiny-model', opset: 13 });
}

function tokenizerJson(tokens) {
  const id = (t) => tokens.indexOf(t);
  const special = (t) => ({ id: t, type_id: 0 });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((t) => ({
      id: id(t),
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: special('[CLS]') }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: special('[SEP]') }],
      pair: [
        { SpecialToken: special('[CLS]') },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: special('[SEP]') },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(tokens.map((t, i) => [t, i])),
    },
  };
}

const SPECIAL_MAP = { cls_token: '[CLS]', mask_token: '[MASK]', pad_token: '[PAD]', sep_token: '[SEP]', unk_token: '[UNK]' };

function configJson(vocabSize) {
  return {
    _name_or_path: MODEL_NAME,
    architectures: ['DistilBertModel'],
    model_type: 'distilbert',
    dim: DIM,
    hidden_dim: DIM * 2,
    n_heads: 1,
    n_layers: 1,
    max_position_embeddings: 512,
    pad_token_id: 0,
    vocab_size: vocabSize,
    sinusoidal_pos_embds: false,
  };
}

function bertConfigJson(vocabSize) {
  return {
    _name_or_path: BERT_NAME,
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: DIM,
    intermediate_size: DIM * 2,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
    vocab_size: vocabSize,
  };
}

const README = `# ${MODEL_NAME} (synthetic test model)

Generated by \`node scripts/make-tiny-model.mjs\`; do not edit by hand. Not a
language model: one embedding lookup followed by tanh (dim ${DIM}), with
sentiment cue words pushed apart along dimension 0 and towards one shared\nrandom direction per sentiment. It exists so the embedding
pipeline can be tested offline. \`onnx/model_quantized.onnx\` (what
transformers.js loads for dtype q8) is the same fp32 graph under that name.
`;

const BERT_README = `# tiny-bert (synthetic test model)

Generated by \`node scripts/make-tiny-model.mjs\`; do not edit by hand. Not a
language model: word + token-type embeddings (dim ${DIM}), plus the masked mean
of the text mixed back into every token, then tanh, so the [CLS] output depends
on the whole text and differs from the mean of the outputs (as in BERT). It
exists so the CLS and mean pooling paths (and prefixes) can be tested offline
against vectors recomputed from its weights. \`onnx/model_quantized.onnx\` is
the same fp32 graph under the name transformers.js loads for q8; it has no
fp16 or q4 file, which the precision fallback is tested with.
`;

/** Writes one model folder: JSON files, README and the ONNX graph (also as the q8 file name). */
function writeModel(outDir, name, { config, tokens, tokenizerClass, readme, graph }) {
  const dir = join(outDir, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (file, value) => writeJson(dir, file, value);
  json('config.json', config);
  json('tokenizer.json', tokenizerJson(tokens));
  json('tokenizer_config.json', {
    ...SPECIAL_MAP,
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    model_max_length: 512,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: tokenizerClass,
  });
  json('special_tokens_map.json', SPECIAL_MAP);
  writeFileSync(join(dir, 'README.md'), readme);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), graph);
  // No real quantisation: transformers.js asks for this file name when dtype
  // is q8 (its wasm default), so the same fp32 graph is written again.
  writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), graph);
  console.log(`wrote ${dir} (vocab ${tokens.length}, dim ${DIM})`);
}

function tinyBert(outDir) {
  // "query"/"passage" let E5-style prefixes tokenise as words.
  const { tokens, sign } = buildVocab(['query', 'passage']);
  const rand = mulberry32(BERT_SEED);
  const E = embeddings(tokens, sign, rand);
  const T = Float32Array.from({ length: 2 * DIM }, () => 0.1 * gaussian(rand));
  const A = Float32Array.from({ length: DIM * DIM }, () => (MIX / Math.sqrt(DIM)) * gaussian(rand));
  writeModel(outDir, BERT_NAME, {
    config: bertConfigJson(tokens.length),
    tokens,
    tokenizerClass: 'BertTokenizer',
    readme: BERT_README,
    graph: buildBertOnnx(E, T, A, tokens.length),
  });
}

function main() {
  const outDir = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'tests/fixtures/models';
  const { tokens, sign } = buildVocab();
  writeModel(outDir, MODEL_NAME, {
    config: configJson(tokens.length),
    tokens,
    tokenizerClass: 'DistilBertTokenizer',
    readme: README,
    graph: buildOnnx(embeddings(tokens, sign, mulberry32(SEED)), tokens.length),
  });
  if (!WIDE) tinyBert(outDir);
}

main();

#!/usr/bin/env node
// Writes a tiny, synthetic causal language model ("llama" layout, one layer,
// one head, width 8) in the transformers.js folder layout, so the in-browser
// teacher (label scoring with a KV cache) is tested offline with the real
// runtime: tokenizer → chat template → ONNX Runtime with past_key_values.
//
//   node scripts/make-tiny-causal-lm.mjs [outDir]   (default: tests/fixtures/models)
//
// Output: <outDir>/tiny-causal-lm/{config.json, generation_config.json,
// tokenizer.json, tokenizer_config.json, README.md, onnx/model.onnx}.
//
// The tokenizer is a byte-level BPE (GPT-2 bytes, lower-casing normaliser)
// whose merges are learnt here from a short word list, so any text encodes
// and the cue words are single tokens. The chat template is ChatML (as in
// Qwen2.5). The graph, with h = embedding + 0.01·position in dimension 7:
//   q = h·Wq + bq, k = h·Wk, v = h·Wv; K,V = concat(past, new) (present.0.*)
//   attention causal and masked by attention_mask, softmax(q·Kᵀ/√8)
//   logits = (attention·V + h·Wr)·U + b
// Cue words have a large key, so attention looks at them, and recent ones
// most (the query and key both carry the position): a text's own cue words
// outweigh the codebook's. Their values carry +1 on dimension 0 (positive
// words) or 1 (negative words), and the label tokens "positive"/"negative"
// read those dimensions, so a text with "great" makes "positive" the likelier
// answer. Weights come from a seeded PRNG: byte-identical output every run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR, DT, encodeModel, f32, gaussian, int64Bytes, intAttr, mulberry32, tensorInfo, writeJson } from './onnx-build.mjs';

const MODEL_NAME = 'tiny-causal-lm';
const D = 8;
const SEED = 20241217;
const ATTEND = 30; // query weight on the cue flag: cue tokens outweigh the rest
const RECENCY = 10; // query weight on position: later cue words outweigh earlier ones
const POS = 0.01; // position enters dimension 7 as POS · position
const LABEL = 3; // how strongly a label token reads its evidence dimension
const LABEL_BIAS = 2; // label tokens are likelier answers than other tokens
const SPECIAL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const POSITIVE = `great excellent love loved loves wonderful fantastic superb lovely best amazing delicious
  perfect perfectly brilliant delightful happy recommended friendly comfortable reliable fast fresh`;
const NEGATIVE = `terrible awful hate hated broke broken poor horrible worst waste disappointed cheap ugly
  rude bad disgusting stale dreadful dirty boring slow unreliable uncomfortable confusing damaged late`;
/** Label names (the fixture codebook's) and a few frequent prompt words: single tokens, no evidence. */
const PLAIN = 'positive negative label text the and of a to is it';
/** Label tokens and the evidence dimension each reads (+) and the one it reads against (−). */
const LABEL_DIMS = { positive: [0, 1], negative: [1, 0] };

const words = (s) => s.split(/\s+/).filter(Boolean);

/** GPT-2's reversible byte → printable character map (bytes_to_unicode). */
function byteChars() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (bs.includes(b)) continue;
    bs.push(b);
    cs.push(256 + n++);
  }
  const map = new Array(256);
  bs.forEach((b, i) => (map[b] = String.fromCharCode(cs[i])));
  return map;
}

/**
 * Learns BPE merges until every word is one symbol: the most frequent
 * adjacent pair first, ties broken by the pair's text, so the result is fixed.
 */
function learnMerges(wordList, chars) {
  const seqs = wordList.map((w) => [...new TextEncoder().encode(w)].map((b) => chars[b]));
  const merges = [];
  for (;;) {
    const counts = new Map();
    for (const s of seqs)
      for (let i = 0; i + 1 < s.length; i++) {
        const k = s[i] + ' ' + s[i + 1];
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    if (counts.size === 0) return merges;
    const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    merges.push(best);
    const [l, r] = best.split(' ');
    for (const s of seqs) for (let i = 0; i + 1 < s.length; i++) if (s[i] === l && s[i + 1] === r) s.splice(i, 2, l + r);
  }
}

function buildVocab() {
  const chars = byteChars();
  const all = [...words(POSITIVE), ...words(NEGATIVE), ...words(PLAIN)];
  // A word after a space is its own pre-token ("Ġgreat"); a label after a quote is not ('"positive').
  const merges = learnMerges([...all.map((w) => ' ' + w), ...all], chars);
  const tokens = [...chars];
  const seen = new Set(tokens);
  for (const m of merges) {
    const t = m.replace(' ', '');
    if (!seen.has(t)) {
      seen.add(t);
      tokens.push(t);
    }
  }
  const space = chars[32];
  const sign = new Map();
  for (const w of words(POSITIVE)) for (const t of [w, space + w]) sign.set(t, 1);
  for (const w of words(NEGATIVE)) for (const t of [w, space + w]) sign.set(t, -1);
  return { tokens, merges, sign, space };
}

/** All weights as flat row-major Float32Arrays, V = vocabulary incl. special tokens. */
function weights(tokens, sign, space, V) {
  const rand = mulberry32(SEED);
  const g = (s) => s * gaussian(rand);
  const E = new Float32Array(V * D);
  for (let t = 0; t < V; t++) {
    const s = sign.get(tokens[t]) ?? 0;
    const row = E.subarray(t * D, (t + 1) * D);
    for (let d = 0; d < 7; d++) row[d] = s ? g(0.05) : d >= 3 ? g(0.5) : g(0.05);
    if (s) {
      row[s > 0 ? 0 : 1] += 1;
      row[2] += 1;
    }
  }
  const mat = (fill) => {
    const m = new Float32Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) m[i * D + j] = fill(i, j);
    return m;
  };
  // Small noise where it cannot drown the mechanism (rows 3..6, never into 2 or 7).
  const noisy = (i, j) => (i >= 3 && i <= 6 && j !== 2 && j !== 7 ? g(0.02) : 0);
  const Wq = mat((i, j) => (i === 7 && j === 7 ? 1 : noisy(i, j)));
  const bq = new Float32Array(D);
  bq[2] = ATTEND;
  bq[7] = RECENCY;
  const Wk = mat((i, j) => ((i === 2 && j === 2) || (i === 7 && j === 7) ? 1 : noisy(i, j)));
  const Wv = mat((i, j) => (i === j && i <= 1 ? 1 : i === j && i >= 3 && i <= 6 ? 0.3 : noisy(i, j)));
  const Wr = mat((i, j) => (i === j && i !== 7 ? 1 : 0));
  const U = new Float32Array(D * V);
  const b = new Float32Array(V);
  for (let t = 0; t < V; t++) {
    for (let d = 0; d < D; d++) U[d * V + t] = d === 2 || d === 7 ? 0 : d <= 1 ? g(0.1) : g(0.3);
    const name = tokens[t].startsWith(space) ? tokens[t].slice(1) : tokens[t];
    const dims = LABEL_DIMS[name];
    if (dims) {
      U[dims[0] * V + t] = LABEL;
      U[dims[1] * V + t] = -LABEL;
      b[t] = LABEL_BIAS;
    }
  }
  const wpos = new Float32Array(D);
  wpos[7] = POS;
  return { E, wpos, Wq, bq, Wk, Wv, Wr, U, b };
}

function buildOnnx(w, V) {
  const T = DT;
  const i64 = (name, dims, data) => ({ name, dataType: T.INT64, dims, rawData: int64Bytes(data) });
  const initializer = [
    f32('embed', [V, D], w.E),
    f32('wpos', [D], w.wpos),
    f32('Wq', [D, D], w.Wq),
    f32('bq', [D], w.bq),
    f32('Wk', [D, D], w.Wk),
    f32('Wv', [D, D], w.Wv),
    f32('Wr', [D, D], w.Wr),
    f32('unembed', [D, V], w.U),
    f32('bias', [V], w.b),
    f32('scale', [], [1 / Math.sqrt(D)]),
    f32('neg_inf', [], [-1e9]),
    i64('ax_last', [1], [-1]),
    i64('ax_1', [1], [1]),
    i64('ax_12', [2], [1, 2]),
    i64('one', [], [1]),
    i64('zero', [], [0]),
  ];
  let n = 0;
  const node = (opType, input, output, attribute = []) => ({ name: `${opType.toLowerCase()}_${n++}`, opType, input, output, attribute });
  const int = intAttr;
  const ints = (name, list) => ({ name, type: ATTR.INTS, ints: list });
  const nodes = [
    node('Gather', ['embed', 'input_ids'], ['tok'], [int('axis', 0)]),
    node('Cast', ['position_ids'], ['pos_f'], [int('to', T.FLOAT)]),
    node('Unsqueeze', ['pos_f', 'ax_last'], ['pos_u']),
    node('Mul', ['pos_u', 'wpos'], ['pos_v']),
    node('Add', ['tok', 'pos_v'], ['h']),
    node('MatMul', ['h', 'Wq'], ['q_raw']),
    node('Add', ['q_raw', 'bq'], ['q']),
    node('MatMul', ['h', 'Wk'], ['k']),
    node('MatMul', ['h', 'Wv'], ['v']),
    node('Unsqueeze', ['q', 'ax_1'], ['q4']),
    node('Unsqueeze', ['k', 'ax_1'], ['k4']),
    node('Unsqueeze', ['v', 'ax_1'], ['v4']),
    node('Concat', ['past_key_values.0.key', 'k4'], ['present.0.key'], [int('axis', 2)]),
    node('Concat', ['past_key_values.0.value', 'v4'], ['present.0.value'], [int('axis', 2)]),
    node('Transpose', ['present.0.key'], ['kt'], [ints('perm', [0, 1, 3, 2])]),
    node('MatMul', ['q4', 'kt'], ['scores_raw']),
    node('Mul', ['scores_raw', 'scale'], ['scores']),
    // Causal mask for a chunk appended after `past`: query i sits at past + i.
    node('Shape', ['input_ids'], ['ids_shape']),
    node('Gather', ['ids_shape', 'one'], ['seq_len'], [int('axis', 0)]),
    node('Shape', ['attention_mask'], ['mask_shape']),
    node('Gather', ['mask_shape', 'one'], ['total_len'], [int('axis', 0)]),
    node('Sub', ['total_len', 'seq_len'], ['past_len']),
    node('Range', ['past_len', 'total_len', 'one'], ['q_pos']),
    node('Range', ['zero', 'total_len', 'one'], ['k_pos']),
    node('Unsqueeze', ['q_pos', 'ax_1'], ['q_col']),
    node('LessOrEqual', ['k_pos', 'q_col'], ['causal']),
    node('Cast', ['attention_mask'], ['mask_b'], [int('to', T.BOOL)]),
    node('Unsqueeze', ['mask_b', 'ax_12'], ['mask_4']),
    node('And', ['causal', 'mask_4'], ['allowed']),
    node('Where', ['allowed', 'scores', 'neg_inf'], ['masked']),
    node('Softmax', ['masked'], ['attn'], [int('axis', -1)]),
    node('MatMul', ['attn', 'present.0.value'], ['o4']),
    node('Squeeze', ['o4', 'ax_1'], ['o']),
    node('MatMul', ['h', 'Wr'], ['res']),
    node('Add', ['o', 'res'], ['hid']),
    node('MatMul', ['hid', 'unembed'], ['logits_raw']),
    node('Add', ['logits_raw', 'bias'], ['logits']),
  ];
  const info = tensorInfo;
  const graph = {
    name: 'tiny_causal_lm',
    initializer,
    node: nodes,
    input: [
      info('input_ids', T.INT64, ['batch_size', 'sequence_length']),
      info('attention_mask', T.INT64, ['batch_size', 'total_sequence_length']),
      info('position_ids', T.INT64, ['batch_size', 'sequence_length']),
      info('past_key_values.0.key', T.FLOAT, ['batch_size', 1, 'past_sequence_length', D]),
      info('past_key_values.0.value', T.FLOAT, ['batch_size', 1, 'past_sequence_length', D]),
    ],
    output: [
      info('logits', T.FLOAT, ['batch_size', 'sequence_length', V]),
      info('present.0.key', T.FLOAT, ['batch_size', 1, 'total_sequence_length', D]),
      info('present.0.value', T.FLOAT, ['batch_size', 1, 'total_sequence_length', D]),
    ],
  };
  return encodeModel(graph, { producer: 'make-tiny-causal-lm', opset: 17 });
}

function tokenizerJson(tokens, merges) {
  const base = tokens.length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, i) => ({
      id: base + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(tokens.map((t, i) => [t, i])),
      merges,
    },
  };
}

const README = (V) => `# tiny-causal-lm (synthetic test model)

Generated by \`node scripts/make-tiny-causal-lm.mjs\`; do not edit by hand. Not a
trained language model: one attention layer (one head, width ${D}) over a
byte-level BPE vocabulary of ${V} tokens, in the "llama" layout transformers.js
loads as a causal LM, with a KV cache (\`past_key_values.0.*\` in,
\`present.0.*\` out) and a ChatML chat template. Cue words of the sentiment
fixture draw the attention and push the label tokens "positive" or
"negative", so a scored label is clearly likelier for a text with cue words.
It exists so the in-browser teacher can be tested offline; the weights are
seeded noise plus that mechanism. \`onnx/model.onnx\` is fp32 only.
`;

function main() {
  const outDir = process.argv[2] ?? 'tests/fixtures/models';
  const dir = join(outDir, MODEL_NAME);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const { tokens, merges, sign, space } = buildVocab();
  const V = tokens.length + SPECIAL.length;
  const id = (t) => tokens.length + SPECIAL.indexOf(t);
  const graph = buildOnnx(weights([...tokens, ...SPECIAL], sign, space, V), V);
  const json = (name, value) => writeJson(dir, name, value);
  json('config.json', {
    _name_or_path: MODEL_NAME,
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: D,
    intermediate_size: 2 * D,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    head_dim: D,
    num_hidden_layers: 1,
    max_position_embeddings: 4096,
    vocab_size: V,
    bos_token_id: null,
    eos_token_id: id('<|im_end|>'),
    pad_token_id: id('<|endoftext|>'),
    tie_word_embeddings: false,
    torch_dtype: 'float32',
  });
  json('generation_config.json', { eos_token_id: id('<|im_end|>'), pad_token_id: id('<|endoftext|>') });
  json('tokenizer.json', tokenizerJson(tokens, merges));
  json('tokenizer_config.json', {
    tokenizer_class: 'Qwen2Tokenizer',
    chat_template: CHAT_TEMPLATE,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    model_max_length: 4096,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(
      SPECIAL.map((t) => [
        String(id(t)),
        { content: t, special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
      ]),
    ),
  });
  writeFileSync(join(dir, 'README.md'), README(V));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), graph);
  console.log(`wrote ${dir} (vocab ${V}, ${merges.length} merges, width ${D}, ${graph.length} bytes of ONNX)`);
}

main();

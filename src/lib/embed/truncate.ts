// Cutting token rows to a model's limit the way Python's tokenizers do.
// transformers.js truncates after adding the special tokens, by slicing the
// end off, so a text longer than the limit loses its closing [SEP] (or </s>):
// the model then reads a sequence it never saw in training, and a long text's
// vector drifts from the one sentence-transformers gives (tests/e2e/real-model.spec.ts).
// Pure, so it is tested without a model.

/** Token ids per text (not padded), as the tokenizer returns them without tensors. */
export interface Tokens {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
}

/**
 * Rows longer than `max` keep their first max − 1 tokens and their last one
 * when that is a special token (in `special`), else their first `max`; other
 * rows are left as they are. Every field is cut alike. Returns `t`, changed in place.
 */
export function truncateTokens(t: Tokens, max: number, special: ReadonlySet<number>): Tokens {
  const fields = [t.input_ids, t.attention_mask, t.token_type_ids].filter((f) => f !== undefined);
  t.input_ids.forEach((ids, i) => {
    if (ids.length <= max) return;
    const end = special.has(ids[ids.length - 1]) && max > 1 ? 1 : 0;
    for (const rows of fields) rows[i] = [...rows[i].slice(0, max - end), ...rows[i].slice(rows[i].length - end)];
  });
  return t;
}

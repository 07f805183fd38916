import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { truncateTokens } from './truncate';

const SEP = 102;

describe('truncateTokens', () => {
  it('keeps the closing special token of a row that is too long, and cuts every field alike', () => {
    const t = { input_ids: [[101, 1, 2, 3, 4, SEP]], attention_mask: [[1, 1, 1, 1, 1, 1]], token_type_ids: [[0, 0, 0, 0, 0, 9]] };
    truncateTokens(t, 4, new Set([101, SEP]));
    expect(t).toEqual({ input_ids: [[101, 1, 2, SEP]], attention_mask: [[1, 1, 1, 1]], token_type_ids: [[0, 0, 0, 9]] });
  });

  it('leaves short rows alone and cuts rows without a closing special token at the limit', () => {
    const t = {
      input_ids: [
        [101, 1, SEP],
        [1, 2, 3, 4],
      ],
      attention_mask: [
        [1, 1, 1],
        [1, 1, 1, 1],
      ],
    };
    truncateTokens(t, 3, new Set([101, SEP]));
    expect(t.input_ids).toEqual([
      [101, 1, SEP],
      [1, 2, 3],
    ]);
    expect(t.attention_mask).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
  });

  // The real all-MiniLM-L6-v2 tokenizer (config and tokenizer only) in ../shared/models.
  const shared = join(process.cwd(), '..', 'shared', 'models');
  it.skipIf(!existsSync(join(shared, 'all-MiniLM-L6-v2', 'tokenizer.json')))(
    "cuts a long text as Python's tokenizers do: [CLS], the first max − 2 word pieces, [SEP]",
    async () => {
      const { AutoTokenizer, env } = await import('@huggingface/transformers');
      Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: shared + '/' });
      const tok = await AutoTokenizer.from_pretrained('all-MiniLM-L6-v2');
      const call = tok as unknown as (t: string[], o: object) => { input_ids: number[][]; attention_mask: number[][] };
      const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
      const full = call([text], { padding: false, truncation: false, return_tensor: false });
      const cut = truncateTokens(call([text], { padding: false, return_tensor: false }), 16, new Set(tok.all_special_ids));
      expect(full.input_ids[0].length).toBeGreaterThan(16);
      expect(cut.input_ids[0]).toEqual([...full.input_ids[0].slice(0, 15), SEP]);
      // transformers.js' own truncation drops the [SEP]: the reason for truncateTokens.
      const theirs = call([text], { padding: false, truncation: true, max_length: 16, return_tensor: false });
      expect(theirs.input_ids[0].at(-1)).not.toBe(SEP);
    },
  );
});

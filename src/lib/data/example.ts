// "Try an example": public labeled datasets from computational social science,
// downloaded at run time (nothing is bundled). TweetEval's hate task is the
// SemEval-2019 HatEval English data: one tweet per line in *_text.txt and the
// matching 0/1 on the same line of *_labels.txt.
import type { Codebook } from '../codebook/types';
import { ImportError } from './errors';
import type { RawTable } from './types';

export interface Example {
  id: string;
  title: string;
  description: string;
  citation: string;
  textUrl: string;
  labelUrl: string;
  /** Raw value in the label file → codebook label name. */
  labelNames: Record<string, string>;
  /** Number of rows in the published files, for the UI ("2,970 tweets"). */
  rows: number;
  codebook: Codebook;
}

const TWEETEVAL = 'https://raw.githubusercontent.com/cardiffnlp/tweeteval/main/datasets/hate';

const HATEVAL_CITATION =
  'Basile, V., Bosco, C., Fersini, E., Nozza, D., Patti, V., Rangel Pardo, F. M., Rosso, P., & Sanguinetti, M. (2019). ' +
  'SemEval-2019 Task 5: Multilingual Detection of Hate Speech Against Immigrants and Women in Twitter. ' +
  'Proceedings of the 13th International Workshop on Semantic Evaluation, 54–63. https://doi.org/10.18653/v1/S19-2007. ' +
  'Distributed in TweetEval: Barbieri, F., Camacho-Collados, J., Espinosa-Anke, L., & Neves, L. (2020). ' +
  'TweetEval: Unified Benchmark and Comparative Evaluation for Tweet Classification. Findings of EMNLP.';

/** Written for this app from the HatEval task description; not the organisers' wording. */
export const HATE_CODEBOOK: Codebook = {
  task: 'Decide whether a tweet is hate speech against immigrants or against women.',
  instructions: [
    'Hate speech here means a message that attacks, demeans or dehumanises people because they are immigrants ' +
      '(including refugees and asylum seekers) or because they are women. It covers insults and slurs aimed at them ' +
      'for being immigrants or women, portraying them as vermin, criminals or invaders as a group, calls for violence ' +
      'against them, and calls to exclude or expel them framed as contempt.',
    'The target may be a whole group ("immigrants", "women") or a single person attacked for belonging to it.',
    'Swearing, vulgar words or general rudeness are not enough: the tweet must be hostile towards immigrants or women ' +
      'as such. A crude word used jokingly between friends, or an insult with no link to gender or migration, is not hate.',
    'Debating immigration policy, reporting news about migration, or disagreeing with a woman without demeaning her ' +
      'for being a woman is not hate. Hostility towards other groups does not count for this task.',
    'Judge the tweet as written; hashtags count as part of the message. When unsure, choose "not-hate".',
  ].join('\n\n'),
  labels: [
    { name: 'hate', definition: 'The tweet attacks, demeans or incites against immigrants or women because of who they are.' },
    { name: 'not-hate', definition: 'Anything else, including offensive language that does not target immigrants or women as such.' },
  ],
  positive: 'hate',
  examples: [
    { text: 'These migrants are parasites, every last one of them should be thrown out of the country.', label: 'hate' },
    {
      text: 'Our town welcomed three refugee families this week and the school is collecting winter coats for the kids.',
      label: 'not-hate',
    },
    { text: 'ugh this traffic is a total b*tch today, late again', label: 'not-hate' },
  ],
};

export const EXAMPLES: Example[] = [
  {
    id: 'hateval-test',
    title: 'Hate speech against immigrants and women (HatEval, 2,970 tweets)',
    description:
      'English tweets from SemEval-2019 Task 5 (HatEval), labeled by crowd workers and experts as hateful or not towards ' +
      'immigrants or women; the test split as packaged by TweetEval. Contains offensive language.',
    citation: HATEVAL_CITATION,
    textUrl: `${TWEETEVAL}/test_text.txt`,
    labelUrl: `${TWEETEVAL}/test_labels.txt`,
    labelNames: { '0': 'not-hate', '1': 'hate' },
    rows: 2970,
    codebook: HATE_CODEBOOK,
  },
  {
    id: 'hateval-train',
    title: 'Hate speech against immigrants and women (HatEval, 9,000 tweets)',
    description:
      'The larger training split of the same HatEval data (TweetEval packaging). Labeling all of it with a paid LLM ' +
      'costs more; the smaller example is enough to try the method. Contains offensive language.',
    citation: HATEVAL_CITATION,
    textUrl: `${TWEETEVAL}/train_text.txt`,
    labelUrl: `${TWEETEVAL}/train_labels.txt`,
    labelNames: { '0': 'not-hate', '1': 'hate' },
    rows: 9000,
    codebook: HATE_CODEBOOK,
  },
];

/** The part of fetch that loadExample uses, so tests can pass a fake. */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

async function download(url: string, fetchImpl: FetchLike): Promise<string> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchImpl(url);
  } catch (e) {
    throw new ImportError('fetch', `Could not download ${url} (${(e as Error).message}). Check the internet connection.`);
  }
  if (!res.ok) throw new ImportError('fetch', `Could not download ${url}: the server answered HTTP ${res.status}.`);
  return res.text();
}

function lines(content: string): string[] {
  const out = content.replace(/\r\n?/g, '\n').split('\n');
  if (out.at(-1) === '') out.pop(); // final newline
  return out.map((l) => l.trim());
}

// A few TweetEval lines carry CSV quoting left over from packaging:
// "He said ""rescue""" → He said "rescue".
function unquote(line: string): string {
  if (line.length < 2 || !line.startsWith('"') || !line.endsWith('"')) return line;
  const inner = line.slice(1, -1);
  return /^(?:[^"]|"")*$/.test(inner) ? inner.replace(/""/g, '"') : line;
}

/**
 * Download an example's text and label files and pair line i with line i.
 * Returns columns id, text, label (label as codebook names). `limit` keeps the
 * first rows only. Throws ImportError('fetch' | 'not-tabular').
 */
export async function loadExample(ex: Example, fetchImpl: FetchLike = (u) => fetch(u), limit?: number): Promise<RawTable> {
  const [textFile, labelFile] = await Promise.all([download(ex.textUrl, fetchImpl), download(ex.labelUrl, fetchImpl)]);
  const texts = lines(textFile);
  const labels = lines(labelFile);
  if (texts.length !== labels.length) {
    throw new ImportError('not-tabular', `The example's files do not match: ${texts.length} texts but ${labels.length} labels.`);
  }
  const n = limit === undefined ? texts.length : Math.max(0, Math.min(limit, texts.length));
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const label = ex.labelNames[labels[i]];
    if (label === undefined) {
      throw new ImportError('not-tabular', `Line ${i + 1} of the label file has the unknown value "${labels[i]}".`, i + 1);
    }
    rows.push([`${ex.id}-${i + 1}`, unquote(texts[i]), label]);
  }
  return { columns: ['id', 'text', 'label'], rows };
}

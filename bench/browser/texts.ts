// Deterministic short texts for the throughput and scale benchmarks: review-like
// sentences of 8–20 words from the tiny model's vocabulary, with one sentiment
// cue word whose polarity is the row's label. Same seed → same texts, in the
// page and in Node.
import { mulberry32 } from '../../src/lib/data/rng';

const FILLER = (
  'the a this that it was is my our we they very really just so too not the movie film book product service food ' +
  'place story show phone app price quality order staff restaurant hotel room game music song plot ending ' +
  'have had did will would could get got went made saw watched read bought used think know feel look again ' +
  'even still also only then there here when after before first last new old people thing way lot little bit ' +
  'back today now review customer experience season episode series delivery battery screen size taste meal ' +
  'menu money hour week year long short big small'
).split(' ');
const POSITIVE = 'great good love excellent amazing awesome best wonderful fantastic happy perfect nice enjoyed brilliant'.split(' ');
const NEGATIVE = 'terrible bad awful hate worst horrible boring poor disappointing waste sad broken useless dull'.split(' ');
export const LABELS = ['positive', 'negative'] as const;

export interface GeneratedText {
  text: string;
  label: (typeof LABELS)[number];
}

/** `n` texts with alternating-ish labels (seeded), 8–20 words each. */
export function generateTexts(n: number, seed = 7): GeneratedText[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const out: GeneratedText[] = [];
  for (let i = 0; i < n; i++) {
    const label = rand() < 0.5 ? 'positive' : 'negative';
    const len = 8 + Math.floor(rand() * 13);
    const cueAt = Math.floor(rand() * len);
    const words: string[] = [];
    for (let w = 0; w < len; w++) words.push(w === cueAt ? pick(label === 'positive' ? POSITIVE : NEGATIVE) : pick(FILLER));
    const s = words.join(' ');
    out.push({ text: s[0].toUpperCase() + s.slice(1) + (rand() < 0.2 ? '!' : '.'), label });
  }
  return out;
}

/** RFC-4180 CSV (id,text,label) of generated texts, as a researcher's export would look. */
export function toCsv(rows: GeneratedText[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['id,text,label'];
  rows.forEach((r, i) => lines.push(`r${i + 1},${quote(r.text)},${r.label}`));
  return lines.join('\n') + '\n';
}

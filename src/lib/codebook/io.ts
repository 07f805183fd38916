// Codebooks to and from JSON and Markdown, so researchers can keep them in a
// repository, edit them in any editor and cite them in a paper's appendix.
//
// Markdown format:
//   # Task                      (body: the task)
//   ## Instructions             (body: the instructions)
//   ## Labels
//   ### <name>                  (body: the definition; one heading per label)
//   ## Positive label           (body: the positive label's name; omitted when none)
//   ## Examples
//   - [<label>] <text>          (further lines of a text are indented by two spaces)
// Body lines that start with # or \ are written with a leading \ so they are
// never read as headings.
import { normalizeCodebook } from './codebook';
import type { Codebook } from './types';

export class CodebookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodebookFormatError';
  }
}

export function codebookToJson(cb: Codebook): string {
  return JSON.stringify(normalizeCodebook(cb), null, 2) + '\n';
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new CodebookFormatError(`${what} must be text, not ${typeof v}.`);
  return v;
}

/**
 * Read a codebook from JSON. Structural problems (wrong types) throw a
 * CodebookFormatError; content problems are left to validateCodebook.
 * Missing fields default to empty; labels may be given as bare names.
 */
export function codebookFromJson(text: string): Codebook {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CodebookFormatError(`The codebook file is not valid JSON: ${(e as Error).message}.`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new CodebookFormatError('A codebook must be a JSON object with task, instructions, labels, positive and examples.');
  }
  const o = data as Record<string, unknown>;
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new CodebookFormatError(`${what} must be a list.`);
    return v;
  };
  const labels = list(o.labels, '"labels"').map((l, i) => {
    if (typeof l === 'string') return { name: l, definition: '' };
    if (l === null || typeof l !== 'object')
      throw new CodebookFormatError(`Label ${i + 1} must be an object with a name and a definition.`);
    const r = l as Record<string, unknown>;
    return { name: str(r.name, `The name of label ${i + 1}`), definition: str(r.definition, `The definition of label ${i + 1}`) };
  });
  const examples = list(o.examples, '"examples"').map((e, i) => {
    if (e === null || typeof e !== 'object') throw new CodebookFormatError(`Example ${i + 1} must be an object with a text and a label.`);
    const r = e as Record<string, unknown>;
    return { text: str(r.text, `The text of example ${i + 1}`), label: str(r.label, `The label of example ${i + 1}`) };
  });
  const positive = o.positive === undefined || o.positive === null ? null : str(o.positive, '"positive"');
  return normalizeCodebook({
    task: str(o.task, '"task"'),
    instructions: str(o.instructions, '"instructions"'),
    labels,
    positive,
    examples,
  });
}

function escapeBody(s: string): string {
  return s
    .split('\n')
    .map((l) => (/^[#\\]/.test(l) ? `\\${l}` : l))
    .join('\n');
}

function unescapeBody(lines: string[]): string {
  return lines
    .map((l) => (l.startsWith('\\') ? l.slice(1) : l))
    .join('\n')
    .trim();
}

function escapeLabel(s: string): string {
  return s.replace(/[\\\]]/g, (m) => `\\${m}`);
}

export function codebookToMarkdown(cb: Codebook): string {
  const c = normalizeCodebook(cb);
  const out: string[] = ['# Task', '', escapeBody(c.task), '', '## Instructions', '', escapeBody(c.instructions), '', '## Labels', ''];
  for (const l of c.labels) out.push(`### ${l.name}`, '', escapeBody(l.definition), '');
  if (c.positive !== null) out.push('## Positive label', '', escapeBody(c.positive), '');
  out.push('## Examples', '');
  for (const e of c.examples) {
    const [first, ...rest] = e.text.split('\n');
    out.push(`- [${escapeLabel(e.label)}] ${first}`, ...rest.map((l) => `  ${l}`));
  }
  return out.join('\n').trimEnd() + '\n';
}

type Section = 'none' | 'task' | 'instructions' | 'labels' | 'positive' | 'examples';

const SECTIONS: Record<string, Section> = {
  task: 'task',
  instructions: 'instructions',
  labels: 'labels',
  'positive label': 'positive',
  examples: 'examples',
};

/** Read the Markdown format written by codebookToMarkdown (headings are case-insensitive). */
export function codebookFromMarkdown(md: string): Codebook {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const body: Record<Exclude<Section, 'labels' | 'examples' | 'none'>, string[]> = { task: [], instructions: [], positive: [] };
  const labels: { name: string; lines: string[] }[] = [];
  const examples: { label: string; lines: string[] }[] = [];
  let section: Section = 'none';
  let sawHeading = false;
  lines.forEach((line, i) => {
    const h = /^(#{1,3})\s+(.*?)\s*$/.exec(line);
    if (h && h[1].length < 3) {
      const s = SECTIONS[h[2].toLowerCase()];
      if (!s)
        throw new CodebookFormatError(
          `Line ${i + 1}: unknown section "${h[2]}". Expected Task, Instructions, Labels, Positive label or Examples.`,
        );
      section = s;
      sawHeading = true;
      return;
    }
    if (h && section === 'labels') {
      labels.push({ name: h[2], lines: [] });
      return;
    }
    if (section === 'labels') {
      if (labels.length === 0 && line.trim() !== '')
        throw new CodebookFormatError(`Line ${i + 1}: under "## Labels", each label starts with "### name".`);
      labels.at(-1)?.lines.push(line);
    } else if (section === 'examples') {
      const m = /^- \[((?:\\.|[^\]\\])*)\] ?(.*)$/.exec(line);
      if (m) examples.push({ label: m[1].replace(/\\(.)/g, '$1'), lines: [m[2]] });
      else if (line.startsWith('  ') && examples.length > 0) examples.at(-1)!.lines.push(line.slice(2));
      else if (line.trim() !== '') throw new CodebookFormatError(`Line ${i + 1}: examples are written "- [label] text".`);
    } else if (section !== 'none') {
      body[section].push(line);
    } else if (line.trim() !== '') {
      throw new CodebookFormatError(`Line ${i + 1}: text before the first heading. A codebook starts with "# Task".`);
    }
  });
  if (!sawHeading) throw new CodebookFormatError('No codebook headings found. A codebook starts with "# Task".');
  const positive = unescapeBody(body.positive);
  return normalizeCodebook({
    task: unescapeBody(body.task),
    instructions: unescapeBody(body.instructions),
    labels: labels.map((l) => ({ name: l.name, definition: unescapeBody(l.lines) })),
    positive: positive === '' ? null : positive,
    examples: examples.map((e) => ({ label: e.label, text: e.lines.join('\n') })),
  });
}

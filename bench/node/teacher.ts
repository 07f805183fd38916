// Benchmark 3: teacher throughput through the real queue and OpenAI client
// against the mock server with a fixed latency: clean, with random 429s, and
// under a requests-per-minute limit the mock enforces (rateLimit mode).
import { readFileSync } from 'node:fs';
import { codebookFromJson } from '../../src/lib/codebook/io';
import { hashText } from '../../src/lib/data/hash';
import { generateTexts } from '../browser/texts';
import { configureMock, mockChatCount, runTeacherJob } from './teacher-run';

export interface TeacherCase {
  mockUrl: string;
  codebookPath: string;
  n: number;
  repeats: number;
  concurrency: number;
  latencyMs: number;
  rate429: number;
  batchRepeats: 'auto' | 'off';
  /** The mock's shared limit (token bucket of `burst` requests refilled at requestsPerMinute). */
  rateLimit?: { requestsPerMinute: number; burst: number };
}

export interface TeacherCaseResult extends Omit<TeacherCase, 'mockUrl' | 'codebookPath'> {
  wallMs: number;
  /** HTTP chat requests the mock received (429s and retries included). */
  calls: number;
  /** Requests answered 200. */
  answeredCalls: number;
  /** Requests rejected (429s here), each retried by the queue. */
  rejectedCalls: number;
  /** Rejections by kind and HTTP status, e.g. { 'http 429': 24 }. */
  rejectedBy: Record<string, number>;
  answers: number;
  failed: number;
  invalid: number;
  /** Share of items whose teacher label is the label the mock was told to give. */
  labelAgreement: number;
  /** answeredCalls per second. */
  callsPerSec: number;
  /** concurrency / latency: what a perfect client would reach. */
  idealCallsPerSec: number;
  /** Under rateLimit: answered calls per minute, and the same without the bucket's first burst (steady state). */
  callsPerMin?: number;
  steadyCallsPerMin?: number;
}

export async function teacherCase(c: TeacherCase): Promise<TeacherCaseResult> {
  const codebook = codebookFromJson(readFileSync(c.codebookPath, 'utf8'));
  const texts = generateTexts(c.n, 23);
  const replay = Object.fromEntries(texts.map((t) => [t.text, t.label]));
  await configureMock(c.mockUrl, {
    replay,
    latencyMs: c.latencyMs,
    rate429: c.rate429,
    seed: 5,
    ...(c.rateLimit ? { rateLimit: c.rateLimit } : {}),
  });
  const items = texts.map((t, i) => ({ rowId: `t${i}`, text: t.text, textHash: hashText(t.text) }));
  const run = await runTeacherJob(`${c.mockUrl}/v1`, items, codebook, {
    repeats: c.repeats,
    concurrency: c.concurrency,
    batchRepeats: c.batchRepeats,
    timeoutMs: 30_000,
    maxRetries: 8,
  });
  const calls = await mockChatCount(c.mockUrl);
  const answeredCalls = run.calls.ok;
  const agree = run.labels.filter((l, i) => l.label === texts[i].label).length;
  const { n, repeats, concurrency, latencyMs, rate429, batchRepeats, rateLimit } = c;
  const minutes = run.wallMs / 60_000;
  return {
    n,
    repeats,
    concurrency,
    latencyMs,
    rate429,
    batchRepeats,
    ...(rateLimit ? { rateLimit } : {}),
    ...(rateLimit
      ? { callsPerMin: answeredCalls / minutes, steadyCallsPerMin: Math.max(0, answeredCalls - rateLimit.burst) / minutes }
      : {}),
    wallMs: run.wallMs,
    calls,
    answeredCalls,
    rejectedCalls: run.calls.failed,
    rejectedBy: run.calls.byReason,
    answers: run.summary.done - run.summary.failed,
    failed: run.summary.failed,
    invalid: run.summary.invalid,
    labelAgreement: agree / texts.length,
    callsPerSec: (answeredCalls / run.wallMs) * 1000,
    idealCallsPerSec: concurrency / (latencyMs / 1000),
  };
}

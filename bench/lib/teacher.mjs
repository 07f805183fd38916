// Benchmark 3: teacher throughput through the real queue + OpenAI client
// against the mock server (latency 300 ms, concurrency 8): clean, with 5%
// random 429s, and under a shared limit of R requests per minute.
import { join } from 'node:path';

/** The shared limit: below the ideal 1,600 calls/min, so it binds; a 2 s burst. */
const LIMIT = { requestsPerMinute: 900, burst: 30 };

export async function teacher(ctx) {
  const vite = await ctx.vite();
  const mock = await ctx.mock();
  const mod = await vite.load('/bench/node/teacher.ts');
  const n = Number(process.env.BENCH_TEACHER_N) || (ctx.opts.quick ? 200 : 1000);
  const base = {
    mockUrl: mock.url,
    codebookPath: join(ctx.root, 'tests/fixtures/data/tiny-sentiment.codebook.json'),
    n,
    repeats: 3,
    concurrency: 8,
    latencyMs: 300,
    batchRepeats: 'auto',
  };
  const clean = await mod.teacherCase({ ...base, rate429: 0 });
  const limited = await mod.teacherCase({ ...base, rate429: 0.05 });
  // Half the texts: at 900/min the run still lasts over a minute (two of the bucket's refills a second is the steady state).
  const capped = await mod.teacherCase({ ...base, n: Math.max(100, Math.round(n / 2)), rate429: 0, rateLimit: LIMIT });
  const rejected = (r) =>
    r.rejectedCalls
      ? `; ${r.rejectedCalls} of ${r.calls} calls (${((100 * r.rejectedCalls) / r.calls).toFixed(1)}%) rejected (${Object.entries(
          r.rejectedBy,
        )
          .map(([k, v]) => `${v}× ${k}`)
          .join(', ')}) and retried`
      : '; 0 calls rejected';
  const tail = (r) => `; ${r.answers} answers, ${r.failed} failed, labels ${(r.labelAgreement * 100).toFixed(1)}% as replayed`;
  const detail = (r) =>
    `${r.answeredCalls} answered calls in ${(r.wallMs / 1000).toFixed(1)} s = ${r.callsPerSec.toFixed(1)}/s vs ideal ${r.idealCallsPerSec.toFixed(1)}/s` +
    rejected(r) +
    tail(r);
  const cappedDetail =
    `${capped.answeredCalls} answered calls in ${(capped.wallMs / 1000).toFixed(1)} s = ${capped.callsPerMin.toFixed(0)}/min ` +
    `(${capped.steadyCallsPerMin.toFixed(0)}/min without the first burst of ${LIMIT.burst}) vs the limit R = ${LIMIT.requestsPerMinute}/min` +
    rejected(capped) +
    tail(capped);
  return {
    figures: [
      { figure: 'calls/s ÷ ideal (concurrency ÷ latency)', ratio: clean.callsPerSec / clean.idealCallsPerSec, detail: detail(clean) },
      { figure: 'calls/s ÷ ideal, with 5% random 429s', ratio: limited.callsPerSec / limited.idealCallsPerSec, detail: detail(limited) },
      {
        figure: `calls/min ÷ R under a limit of R = ${LIMIT.requestsPerMinute}/min (steady state)`,
        ratio: capped.steadyCallsPerMin / LIMIT.requestsPerMinute,
        detail: cappedDetail,
      },
      {
        figure: 'share of calls rejected under that limit',
        ratio: capped.calls > 0 ? capped.rejectedCalls / capped.calls : null,
        detail: `${capped.rejectedCalls} of ${capped.calls} calls answered 429`,
      },
    ],
    notes: [
      `${n} texts × 3 repeats with the app's default plan: repeat 0 at temperature 0 and repeats 1–2 in one request with n = 2 ` +
        '(2 calls per text). A 429 delays only its own request (Retry-After 1 s) and halves the concurrency, which grows back by one ' +
        'after each success; only a burst of 429s (3 or more within a second, most of the answers then) pauses everyone.',
      'Random 429s are drawn per request from a seeded counter (about 5% of calls; the measured share is in the row); they carry ' +
        'Retry-After but no x-ratelimit-remaining of 0, as a sporadic rejection of one request does.',
      `The limit row: the mock's rateLimit mode, a token bucket of ${LIMIT.burst} requests refilled at ${LIMIT.requestsPerMinute}/min, ` +
        `decided on arrival, with x-ratelimit-limit/remaining/reset-requests on every answer; ${capped.n} texts. The queue paces to the headers.`,
    ],
    raw: { clean, limited, capped },
  };
}

// Benchmark 3: teacher throughput through the real queue + OpenAI client
// against the mock server (latency 300 ms, concurrency 8), clean and with 5% 429s.
import { join } from 'node:path';

export async function teacher(ctx) {
  const vite = await ctx.vite();
  const mock = await ctx.mock();
  const mod = await vite.load('/bench/node/teacher.ts');
  const n = Number(process.env.BENCH_TEACHER_N) || (ctx.opts.quick ? 200 : 1000);
  const base = {
    mockUrl: mock.url, codebookPath: join(ctx.root, 'tests/fixtures/data/tiny-sentiment.codebook.json'),
    n, repeats: 3, concurrency: 8, latencyMs: 300, batchRepeats: 'auto',
  };
  const clean = await mod.teacherCase({ ...base, rate429: 0 });
  const limited = await mod.teacherCase({ ...base, rate429: 0.05 });
  const detail = (r) =>
    `${r.answeredCalls} answered calls in ${(r.wallMs / 1000).toFixed(1)} s = ${r.callsPerSec.toFixed(1)}/s vs ideal ${r.idealCallsPerSec.toFixed(1)}/s` +
    `${r.rejectedCalls ? `; ${r.rejectedCalls} of ${r.calls} calls (${((100 * r.rejectedCalls) / r.calls).toFixed(1)}%) rejected (${Object.entries(r.rejectedBy).map(([k, v]) => `${v}× ${k}`).join(', ')}) and retried` : ''}; ${r.answers} answers, ${r.failed} failed, labels ${(r.labelAgreement * 100).toFixed(1)}% as replayed`;
  return {
    figures: [
      { figure: 'calls/s ÷ ideal (concurrency ÷ latency)', ratio: clean.callsPerSec / clean.idealCallsPerSec, detail: detail(clean) },
      { figure: 'calls/s ÷ ideal, with 5% random 429s', ratio: limited.callsPerSec / limited.idealCallsPerSec, detail: detail(limited) },
    ],
    notes: [
      `${n} texts × 3 repeats with the app's default plan: repeat 0 at temperature 0 and repeats 1–2 in one request with n = 2 ` +
        '(2 calls per text). A 429 (Retry-After 1 s) pauses every worker until the cool-down ends, by design of the queue.',
      'Random 429s are drawn per request from a seeded counter (about 5% of calls; the measured share is in the row).',
    ],
    raw: { clean, limited },
  };
}

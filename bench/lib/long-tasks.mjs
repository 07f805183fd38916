// What the page's long tasks ran: `node bench/lib/long-tasks.mjs <base> [minMs]`
// reads <base>.trace.json (tasks of the renderer's main thread) and
// <base>.cpuprofile (JS samples, on the same clock), as SCALE_PROFILE=dir
// writes them for the scale bench, and prints each task over minMs (default
// 100) with the functions its samples fell in (self and inclusive ms).
import { readFileSync } from 'node:fs';

const [base, minArg] = process.argv.slice(2);
const min = Number(minArg ?? 100) * 1000;
const trace = JSON.parse(readFileSync(`${base}.trace.json`, 'utf8'));
const events = Array.isArray(trace) ? trace : trace.traceEvents;
const profile = JSON.parse(readFileSync(`${base}.cpuprofile`, 'utf8'));

const mains = new Set(
  events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
);
const tasks = events
  .filter((e) => e.ph === 'X' && /RunTask$/.test(e.name) && mains.has(`${e.pid}:${e.tid}`) && e.dur >= min)
  .sort((a, b) => a.ts - b.ts);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop().split('?')[0]}:${n.callFrame.lineNumber + 1}`;
const times = [];
let t = profile.startTime;
for (const d of profile.timeDeltas) times.push((t += d));

const top = (m, k) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([f, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms  ${f}`)
    .join('\n    ');
for (const task of tasks) {
  const self = new Map();
  const incl = new Map();
  for (let i = 0; i < times.length; i++) {
    if (times[i] < task.ts || times[i] >= task.ts + task.dur) continue;
    const dt = (times[i + 1] ?? times[i]) - times[i];
    let id = profile.samples[i];
    self.set(label(byId.get(id)), (self.get(label(byId.get(id))) ?? 0) + dt);
    const seen = new Set();
    for (; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id));
      if (!seen.has(k)) incl.set(k, (incl.get(k) ?? 0) + dt);
      seen.add(k);
    }
  }
  const at = ((task.ts - profile.startTime) / 1e6).toFixed(1);
  console.log(
    `\n== task of ${(task.dur / 1000).toFixed(0)} ms at +${at} s\n  self:\n    ${top(self, 6)}\n  inclusive:\n    ${top(incl, 16)}`,
  );
}

// Benchmark 4: N short texts through import → store → embed → train → predict in the page.

export async function scale(ctx) {
  const n = ctx.opts.quick ? 10_000 : 100_000;
  const { page } = await ctx.page();
  const mock = await ctx.mock();
  const r = await page.evaluate((c) => window.bench.scaleCase(c), {
    n, modelsUrl: `${mock.url}/models`, modelId: 'tiny-distilbert', device: 'wasm', batchSize: 16, trainBackends: ['wasm', 'cpu'],
  });
  const total = r.stages.reduce((s, x) => s + x.ms, 0);
  const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const figures = r.stages.map((s) => ({
    figure: `share of pipeline time: ${s.name}`,
    ratio: s.ms / total,
    detail: `${(s.ms / 1000).toFixed(2)} s (${((s.ms / n) * 1000).toFixed(1)} µs/row)`,
  }));
  figures.push({
    figure: 'total blocking time ÷ wall time (main thread)',
    ratio: r.longTasks.totalBlockingMs / r.wallMs,
    detail: `${r.longTasks.count} long tasks, longest ${r.longTasks.longestMs.toFixed(0)} ms, blocking ${r.longTasks.totalBlockingMs.toFixed(0)} ms of ${(r.wallMs / 1000).toFixed(1)} s`,
  });
  if (r.heap.available) {
    figures.push({
      figure: 'peak ÷ starting JS heap (main thread)',
      ratio: r.heap.peakBytes / r.heap.startBytes,
      detail: `${mb(r.heap.startBytes)} → peak ${mb(r.heap.peakBytes)} (${((r.heap.peakBytes - r.heap.startBytes) / n).toFixed(0)} B/row), end ${mb(r.heap.endBytes)}`,
    });
  }
  const notes = [
    `${n.toLocaleString('en')} rows${ctx.opts.quick ? ' (--quick; the default run does 100,000)' : ''}; embed device ${r.device} (tiny-distilbert, chunks of 256 as the app's embedder), ` +
      `head backend ${r.trainBackend}; predictions ${r.checks.probsSumToOne ? 'valid' : 'INVALID (rows do not sum to 1)'}, accuracy on the cue-word labels ${(r.checks.accuracy * 100).toFixed(1)}%.`,
    'Heap is the page\'s main thread only (workers have their own heaps). Long tasks are main-thread tasks over 50 ms; ' +
      'total blocking time sums their excess over 50 ms.',
  ];
  const wasmFail = r.trainTried.find((t) => !t.ok);
  if (wasmFail) notes.push(`Head backend ${wasmFail.name} failed to start: ${wasmFail.error}`);
  return { figures, notes, raw: r };
}

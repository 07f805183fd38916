// The local teacher worker's logic as a plain function, so it runs (and is
// tested) in Node without a Worker; local-teacher.worker.ts only wires it to
// postMessage. One model and one prepared prompt at a time.
import { configureOrt, detectWebGPU } from '../../embed/runtime';
import { loadCausalLM, type LoadedLM, type LocalDevice } from './model';
import type { LocalDtype } from './presets';
import type { LocalReply, LocalRequest } from './protocol';
import { LocalScorer } from './scorer';

export type Post = (reply: LocalReply) => void;

/** f16 weights need WebGPU's shader-f16; on the CPU the same model's other file is the one that runs. */
export function dtypeFor(device: LocalDevice, dtype: LocalDtype): LocalDtype {
  if (device === 'webgpu') return dtype;
  return dtype === 'q4f16' ? 'q4' : dtype === 'fp16' ? 'fp32' : dtype;
}

const CPU_NOTE =
  'Running on the CPU (wasm): correct, but a real model of 0.5–1.7 B parameters scores texts many times slower ' +
  'than on WebGPU — try a few texts first and watch the rate.';

export function createLocalHandler(post: Post): (req: LocalRequest) => Promise<void> {
  let current: { key: string; loaded: Promise<LoadedLM> } | null = null;
  let scorer: LocalScorer | null = null;

  async function load(req: Extract<LocalRequest, { type: 'load' }>): Promise<void> {
    const webgpu = await detectWebGPU();
    const notes: string[] = [];
    let device: LocalDevice = req.device;
    if (device === 'webgpu' && !webgpu) {
      device = 'wasm';
      notes.push('This browser offers no WebGPU adapter.');
    }
    const threads = req.ortBase ? configureOrt(req.ortBase) : 0;
    const open = async (dev: LocalDevice): Promise<{ lm: LoadedLM; device: LocalDevice; dtype: LocalDtype }> => {
      const dtype = dtypeFor(dev, req.dtype);
      const key = JSON.stringify([req.modelId, req.revision, req.source.kind === 'files' ? 'files' : req.source, dev, dtype]);
      if (current?.key !== key || req.source.kind === 'files') {
        await scorer?.dispose();
        scorer = null;
        const old = current?.loaded;
        current = null;
        await old?.then(
          (m) => m.dispose(),
          () => undefined,
        );
        const loaded = loadCausalLM({
          modelId: req.modelId,
          revision: req.revision,
          source: req.source,
          device: dev,
          dtype,
          onProgress: (p) => post({ type: 'progress', id: req.id, ...p }),
        });
        current = { key, loaded };
        loaded.catch(() => current?.loaded === loaded && (current = null));
      }
      return { lm: await current!.loaded, device: dev, dtype };
    };
    let got;
    try {
      got = await open(device);
    } catch (e) {
      if (device !== 'webgpu') throw e;
      notes.push(`It did not load on WebGPU (${e instanceof Error ? e.message : String(e)}).`);
      got = await open('wasm');
    }
    if (got.dtype !== req.dtype) notes.push(`${req.dtype} needs WebGPU, so the model's ${got.dtype} weights are used.`);
    if (got.device !== 'webgpu' && req.ortBase) notes.push(CPU_NOTE);
    post({ type: 'ready', id: req.id, device: got.device, dtype: got.dtype, webgpu, threads, note: notes.length ? notes.join(' ') : null });
  }

  async function prepare(req: Extract<LocalRequest, { type: 'prepare' }>): Promise<void> {
    if (!current) throw new Error('No local model is loaded yet; load one first.');
    const loaded = await current.loaded;
    await scorer?.dispose();
    scorer = new LocalScorer(loaded, req.system, req.labels, req.mode ?? 'prefix');
    await scorer.prepare(req.sentinels);
    const why = await scorer.verifyCache(req.probe);
    const note = why && `Scoring whole sequences, which is slower: ${why}.`;
    post({ type: 'prepared', id: req.id, mode: scorer.mode, sharedTokens: scorer.sharedTokens, note });
  }

  async function score(req: Extract<LocalRequest, { type: 'score' }>): Promise<void> {
    if (!scorer) throw new Error('The codebook prompt is not set up in the local model yet.');
    const t0 = performance.now();
    const out: Extract<LocalReply, { type: 'scores' }> = { type: 'scores', id: req.id, probs: [], logprobs: [], tokens: [], ms: 0 };
    for (const user of req.users) {
      const s = await scorer.score(user);
      out.probs.push(s.probs);
      out.logprobs.push(s.logprobs);
      out.tokens.push(s.tokens);
    }
    out.ms = performance.now() - t0;
    post(out);
  }

  return async (req) => {
    try {
      if (req.type === 'load') await load(req);
      else if (req.type === 'prepare') await prepare(req);
      else await score(req);
    } catch (err) {
      post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
    }
  };
}

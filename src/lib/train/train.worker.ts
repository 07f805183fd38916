// Thin shell: jobs run one at a time in arrival order; 'cancel' aborts a
// running or queued job by its id.
import { handleTrainRequest } from './handle';
import { transferablesOf, type TrainReply, type TrainRequest } from './protocol';

const ctx = self as unknown as DedicatedWorkerGlobalScope;
const jobs = new Map<number, AbortController>();
let queue: Promise<unknown> = Promise.resolve();

const post = (msg: TrainReply) => ctx.postMessage(msg, transferablesOf(msg));

ctx.onmessage = (ev: MessageEvent<TrainRequest>) => {
  const req = ev.data;
  if (req.type === 'cancel') {
    jobs.get(req.id)?.abort();
    return;
  }
  const ac = new AbortController();
  jobs.set(req.id, ac);
  queue = queue.then(async () => {
    try {
      post(await handleTrainRequest(req, ac.signal, post));
    } catch (e) {
      // Only postMessage itself can throw here (e.g. a value that cannot be cloned).
      post({ type: 'error', id: req.id, message: `Could not send the result: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      jobs.delete(req.id);
    }
  });
};

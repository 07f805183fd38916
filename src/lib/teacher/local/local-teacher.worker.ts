// Thin shell: all logic is in handler.ts (label scoring with a causal LM).
import { createLocalHandler } from './handler';
import type { LocalRequest } from './protocol';

const handle = createLocalHandler((reply) => self.postMessage(reply));

self.onmessage = (e: MessageEvent<LocalRequest>) => {
  void handle(e.data);
};

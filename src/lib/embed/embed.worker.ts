// Thin shell: all logic is in handler.ts / embed.ts. Vectors are transferred.
import { createEmbedHandler } from './handler';
import type { EmbedRequest } from './protocol';

const handle = createEmbedHandler((reply, transfer = []) => self.postMessage(reply, { transfer }));

self.onmessage = (e: MessageEvent<EmbedRequest>) => {
  void handle(e.data);
};

// The bench page: exposes the browser-side benchmarks on `window.bench` for
// bench/run.mjs to call through Playwright's page.evaluate.
import { embedCase } from './embed';
import { scaleCase } from './scale';
import { linearCase, plainCase, trainBackendCase } from './train';

const bench = { embedCase, trainBackendCase, plainCase, linearCase, scaleCase };
export type Bench = typeof bench;
(window as unknown as { bench: Bench }).bench = bench;

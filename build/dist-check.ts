// Fails the build when a large file is shipped twice in dist/ (the same bytes
// under two names, as ONNX Runtime's 27 MB wasm once was: assets/ and ort/).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

export const DUPLICATE_LIMIT = 1024 * 1024; // bytes; smaller twins are not worth a failed build

export interface DistFile {
  path: string;
  size: number;
  hash: string;
}

/** Every file under `dir`, with paths relative to it (forward slashes) and a sha-256 of its bytes. */
export function listDist(dir: string): DistFile[] {
  const out: DistFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const bytes = readFileSync(full);
        out.push({
          path: relative(dir, full).split('\\').join('/'),
          size: bytes.length,
          hash: createHash('sha256').update(bytes).digest('hex'),
        });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Groups of paths with identical content, for files of at least `limit` bytes. */
export function findDuplicates(files: readonly DistFile[], limit = DUPLICATE_LIMIT): string[][] {
  const byHash = new Map<string, string[]>();
  for (const f of files) if (f.size >= limit) byHash.set(f.hash, [...(byHash.get(f.hash) ?? []), f.path]);
  return [...byHash.values()].filter((g) => g.length > 1);
}

export function distCheck(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'surrogate-dist-check',
    apply: 'build',
    configResolved(c) {
      config = c;
    },
    closeBundle() {
      const dups = findDuplicates(listDist(config.build.outDir));
      if (dups.length) {
        throw new Error(
          `dist/ ships the same large file more than once: ${dups.map((g) => g.join(' = ')).join('; ')}. Serve each runtime file from one path (see build/runtime-assets.ts).`,
        );
      }
    },
  };
}

import { spawnSync } from 'node:child_process';
import { ccacheDir } from './toolchain.ts';

/** ccache's counters that say where a compile's object came from. */
export interface CompileCacheCounts {
  hits: number;
  misses: number;
  /** Calls ccache passed through uncached (links, preprocessor runs, unsupported options). */
  uncached: number;
}

const UNCACHED = [
  'called_for_link',
  'called_for_preprocessing',
  'no_input_file',
  'unsupported_compiler_option',
  'unsupported_source_language',
  'multiple_source_files',
  'autoconf_test',
  'compile_failed',
  'preprocessor_error',
  'bad_compiler_arguments',
];

/** `ccache --print-stats` (tab-separated name/value lines) → the counts we report. Pure. */
export function parseCompileCacheStats(text: string): CompileCacheCounts {
  const stats = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, value] = line.split('\t');
    if (name && value !== undefined && /^\d+$/.test(value)) stats.set(name, Number(value));
  }
  const get = (name: string) => stats.get(name) ?? 0;
  return {
    hits: get('direct_cache_hit') + get('preprocessed_cache_hit'),
    misses: get('cache_miss'),
    uncached: UNCACHED.reduce((sum, name) => sum + get(name), 0),
  };
}

/** The counters of the build's ccache now (undefined without ccache or its dir). */
export function compileCacheCounts(cacheDir: string): CompileCacheCounts | undefined {
  const r = spawnSync('ccache', ['--print-stats'], { encoding: 'utf8', env: { ...process.env, CCACHE_DIR: ccacheDir(cacheDir) } });
  return r.status === 0 ? parseCompileCacheStats(r.stdout) : undefined;
}

/** What happened between two readings. */
export function compileCacheDelta(before: CompileCacheCounts, after: CompileCacheCounts): CompileCacheCounts {
  return { hits: after.hits - before.hits, misses: after.misses - before.misses, uncached: after.uncached - before.uncached };
}

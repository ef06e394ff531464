/*
 * esbuild's two passes that make the app's one CommonJS file: first the archive sink thread's code
 * (src/recorder/sink-thread-worker.ts) on its own, then src/main.ts with that code inside as a string —
 * a SEA has no file a worker thread could start from. The dist step and the tests both bundle this way.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { present } from '../shared/checked.ts';

export interface AppBundleOptions {
  root: string;
  outfile: string;
  /** esbuild target, e.g. node22. */
  target: string;
  minify: boolean;
  /** Extra compile-time constants (the dist step's build facts). */
  define?: Record<string, string>;
}

/**
 * ESM dependencies bundled into CommonJS lose `import.meta.url` (esbuild leaves it undefined), and some read it
 * at load: fdir (under tinyglobby) calls createRequire(import.meta.url). Each module gets the bundle's own URL,
 * which is what a CommonJS file would have.
 */
const IMPORT_META_URL = { define: { 'import.meta.url': '__bundleUrl' }, banner: { js: 'var __bundleUrl=require("node:url").pathToFileURL(__filename).href;' } };

const common = (o: Pick<AppBundleOptions, 'target' | 'minify'>) =>
  ({ bundle: true, platform: 'node', format: 'cjs', target: o.target, minify: o.minify, legalComments: 'none', logLevel: 'error', banner: IMPORT_META_URL.banner }) as const;

/** The sink thread's code alone (tests start a ThreadSink with it directly). */
export async function bundleSinkThread(o: Pick<AppBundleOptions, 'root' | 'target' | 'minify'>): Promise<string> {
  const thread = await build({ ...common(o), entryPoints: [join(o.root, 'src/recorder/sink-thread-worker.ts')], write: false });
  const [output] = thread.outputFiles;
  return present(output, "esbuild's output for the sink thread").text;
}

export async function bundleApp(o: AppBundleOptions): Promise<void> {
  const source = await bundleSinkThread(o);
  await build({ ...common(o), entryPoints: [join(o.root, 'src/main.ts')], outfile: o.outfile, define: { ...IMPORT_META_URL.define, ...o.define, __BROKER_SINK_THREAD__: JSON.stringify(source) } });
}

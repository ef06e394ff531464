/*
 * `seal stack MAP|ARTIFACT [REPORT]`: a crash report (a file, or stdin) printed with the bundle's positions read
 * through the artifact's source map (stack-trace.ts); how many it found and mapped goes to stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../../shared/cli-args/usage-error.ts';
import { readElfFile } from '../../shared/elf/file.ts';
import { mapStackText, readStackMap, StackMapError } from './stack-trace.ts';

export interface StackArgs {
  /** The .map beside the artifact, or the artifact itself (its map is `<artifact>.map`). */
  map: string;
  /** The report's file; stdin when absent. */
  report?: string;
  json: boolean;
  help: string;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StackMapError(code === 'ENOENT' ? `no file ${path} (${what})` : `cannot read ${path} (${what}): ${code ?? String(err)}`);
  }
}

/** Whether the file is an ELF executable (the artifact given where its map was meant): the inspector's reader says, reading its headers only. */
function isElf(path: string): boolean {
  try {
    readElfFile(path);
    return true;
  } catch {
    return false;
  }
}

export function stackCommand(args: StackArgs, out: { stdout: (text: string) => void; stderr: (line: string) => void }): number {
  const beside = `${args.map}.map`;
  const mapPath = !args.map.endsWith('.map') && existsSync(beside) ? beside : args.map;
  if (mapPath === args.map && isElf(args.map)) throw new StackMapError(`${args.map} is an executable and there is no ${beside} beside it: give the .map pack wrote with this artifact (keep it with the artifact)`);
  const map = readStackMap(readText(mapPath, 'the source map'), mapPath);
  if (args.report === undefined && process.stdin.isTTY) throw new UsageError(`give the crash report as a file, or on stdin (… | seal stack MAP) (see '${args.help}')`);
  const report = args.report === undefined ? readFileSync(0, 'utf8') : readText(args.report, 'the crash report');
  if (report.trim() === '') throw new StackMapError(`the crash report ${args.report ?? '(stdin)'} is empty: give the text the binary printed (stderr)`);
  const { text, positions } = mapStackText(report, map);
  if (args.json) out.stdout(`${JSON.stringify({ map: mapPath, bundle: map.file, positions }, null, 2)}\n`);
  else out.stdout(text);
  const mapped = positions.filter((p) => p.source !== null).length;
  // A worker the program starts from a string of its own has no map (its frames read `[worker eval]:L:C`); seal.workers'
  // bundles and the worker files' name themselves (`seal:worker/…`, `seal:worker-file/…`) and are mapped.
  const worker = /\[worker eval\]:\d+:\d+/.test(report) ? "; the frames at [worker eval] are a worker thread's that the program started from a string of code, which has no map" : '';
  if (positions.length === 0) out.stderr(`no position in ${map.file} found in the report${worker || ': is it a crash of the artifact this map was written with?'}`);
  else out.stderr(`${mapped} of ${positions.length} position(s) in ${map.file} mapped to their sources${mapped < positions.length ? " (the rest are esbuild's own helpers)" : ''}${worker}`);
  return 0;
}

/*
 * A user's crash report read with the artifact's source map (bundle.ts writes it, maintainer-map.ts shapes it): every
 * position in the bundle — a stack frame's `broker.cjs:56:98`, an ES module bundle's `file:///…/broker.mjs:3:5`,
 * and Node's `broker.cjs:56` above the line it prints with a caret under the column — is rewritten to the source file,
 * line and column it came from. Pure: text and map in, text and the positions found out. A position the map does not
 * cover (esbuild's helpers) is left as it was. So are the positions of the other scripts the binary runs, through their
 * own maps, which the artifact's carries: a seal.workers bundle's (`seal:worker/<CONSTANT>.js:L:C`), a seal.lazy chunk's
 * (`seal:lazy/undici.cjs:L:C`), a worker file's (`seal:worker-file/lib/pool.js:L:C`). A worker the program starts from
 * a string of its own (`[worker eval]:L:C`) has no map.
 */
import { SourceMapConsumer } from 'source-map-js';
import { SCRIPT_MAPS_KEY } from '../project/maintainer-map.ts';

export interface StackPosition {
  /** As the report wrote it: `broker.cjs:56:98`, or `broker.cjs:56` (Node's header line, its column from the caret). */
  written: string;
  line: number;
  /** 1-based, as V8 prints it. */
  column: number;
  /** Where it came from; null when the map does not cover it. */
  source: { file: string; line: number; column: number; name?: string } | null;
}

export class StackMapError extends Error {
  override name = 'StackMapError';
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One bundle's map: the name the report shows the bundle by, and its positions. */
export interface BundleMap {
  consumer: SourceMapConsumer;
  file: string;
}

type RawMap = { version?: unknown; file?: unknown; mappings?: unknown; [SCRIPT_MAPS_KEY]?: unknown };

function bundleMap(map: RawMap, path: string): BundleMap {
  if (map.version !== 3 || typeof map.file !== 'string' || typeof map.mappings !== 'string') {
    throw new StackMapError(`${path} is not a source map of a bundle (version 3 with "file" and "mappings"): give the .map file written beside the artifact`);
  }
  return { consumer: new SourceMapConsumer(map as ConstructorParameters<typeof SourceMapConsumer>[0]), file: map.file };
}

/** The map, parsed and checked, with the lazy chunks' it carries: the name each gives its bundle is what the report's positions are found by. */
export function readStackMap(json: string, path: string): BundleMap & { chunks: BundleMap[] } {
  let map: RawMap;
  try {
    map = JSON.parse(json);
  } catch {
    throw new StackMapError(`${path} is not a source map (not JSON): give the .map file written beside the artifact`);
  }
  const scripts = map[SCRIPT_MAPS_KEY];
  const scriptMaps = typeof scripts === 'object' && scripts !== null ? Object.values(scripts as Record<string, RawMap>).map((c) => bundleMap(c, `${path} (${SCRIPT_MAPS_KEY})`)) : [];
  return { ...bundleMap(map, path), chunks: scriptMaps };
}

/** The report with each bundle position rewritten, and the positions found. */
export function mapStackText(text: string, map: BundleMap & { chunks?: BundleMap[] }): { text: string; positions: StackPosition[] } {
  const positions: StackPosition[] = [];
  // Longest name first: a chunk's `seal:lazy/x-broker.cjs` also ends with the main bundle's `broker.cjs`.
  const maps = [map, ...(map.chunks ?? [])].sort((a, b) => b.file.length - a.file.length);
  // Which bundle a written name is: the one whose name it ends with (a path or URL may lead to it).
  const mapOf = (written: string) => maps.find((m) => written === m.file || written.endsWith(`/${m.file}`)) ?? map;
  const lookup = (written: string, line: number, column: number) => {
    const at = mapOf(written).consumer.originalPositionFor({ line, column: column - 1 });
    if (at.source === null || at.line === null || at.column === null) return null;
    return { file: at.source, line: at.line, column: at.column + 1, ...(at.name ? { name: at.name } : {}) };
  };
  // The bundles' names, and the path or URL that may lead to one (`file:///…/broker.mjs`): replaced whole.
  const name = `((?:[^\\s()]*/)?(?<![\\w.-])(?:${maps.map((m) => escaped(m.file)).join('|')}))`;
  const framed = new RegExp(`${name}:(\\d+):(\\d+)`, 'g');
  // A report pasted with CRLF line ends keeps them; the header is matched without its CR.
  const header = new RegExp(`^${name}:(\\d+)(\r?)$`);
  const lines = text.split('\n');
  const out = lines.map((line, i) => {
    const head = header.exec(line);
    // Node copies the line's tabs into the caret's indent (each one column, as V8 counts).
    const caret = lines[i + 2]?.match(/^([ \t]*)\^/);
    if (head && caret) {
      const [written = '', path = '', row = '', cr = ''] = head;
      const position: StackPosition = { written: written.slice(0, written.length - cr.length), line: Number(row), column: (caret[1] ?? '').length + 1, source: null };
      position.source = lookup(path, position.line, position.column);
      positions.push(position);
      return position.source ? `${position.source.file}:${position.source.line}${cr}` : line;
    }
    return line.replace(framed, (written, path: string, row: string, col: string) => {
      const position: StackPosition = { written, line: Number(row), column: Number(col), source: lookup(path, Number(row), Number(col)) };
      positions.push(position);
      return position.source ? `${position.source.file}:${position.source.line}:${position.source.column}` : written;
    });
  });
  return { text: out.join('\n'), positions };
}

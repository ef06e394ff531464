/*
 * A user's crash report read with the artifact's source map (bundle.ts writes it, maintainer-map.ts shapes it): every
 * position in the bundle — a stack frame's `broker.cjs:56:98`, an ES module bundle's `file:///…/broker.mjs:3:5`,
 * and Node's `broker.cjs:56` above the line it prints with a caret under the column — is rewritten to the source file,
 * line and column it came from. Pure: text and map in, text and the positions found out. A position the map does not
 * cover (esbuild's helpers) is left as it was. A worker thread's frames (`[worker eval]:L:C`) are in a bundle of its
 * own, for which no map is written.
 */
import { SourceMapConsumer } from 'source-map-js';

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

/** The map, parsed and checked: the name it gives the bundle is what the report's positions are found by. */
export function readStackMap(json: string, path: string): { consumer: SourceMapConsumer; file: string } {
  let map: { version?: unknown; file?: unknown; mappings?: unknown };
  try {
    map = JSON.parse(json);
  } catch {
    throw new StackMapError(`${path} is not a source map (not JSON): give the .map file written beside the artifact`);
  }
  if (map.version !== 3 || typeof map.file !== 'string' || typeof map.mappings !== 'string') {
    throw new StackMapError(`${path} is not a source map of a bundle (version 3 with "file" and "mappings"): give the .map file written beside the artifact`);
  }
  return { consumer: new SourceMapConsumer(map as ConstructorParameters<typeof SourceMapConsumer>[0]), file: map.file };
}

/** The report with each bundle position rewritten, and the positions found. */
export function mapStackText(text: string, map: { consumer: SourceMapConsumer; file: string }): { text: string; positions: StackPosition[] } {
  const positions: StackPosition[] = [];
  const lookup = (line: number, column: number) => {
    const at = map.consumer.originalPositionFor({ line, column: column - 1 });
    if (at.source === null || at.line === null || at.column === null) return null;
    return { file: at.source, line: at.line, column: at.column + 1, ...(at.name ? { name: at.name } : {}) };
  };
  // The bundle's name, and the path or URL that may lead to it (`file:///…/broker.mjs`): replaced whole.
  const name = `(?:[^\\s()]*/)?(?<![\\w.-])${escaped(map.file)}`;
  const framed = new RegExp(`${name}:(\\d+):(\\d+)`, 'g');
  // A report pasted with CRLF line ends keeps them; the header is matched without its CR.
  const header = new RegExp(`^${name}:(\\d+)(\r?)$`);
  const lines = text.split('\n');
  const out = lines.map((line, i) => {
    const head = header.exec(line);
    // Node copies the line's tabs into the caret's indent (each one column, as V8 counts).
    const caret = lines[i + 2]?.match(/^([ \t]*)\^/);
    if (head && caret) {
      const [written = '', row = '', cr = ''] = head;
      const position: StackPosition = { written: written.slice(0, written.length - cr.length), line: Number(row), column: (caret[1] ?? '').length + 1, source: null };
      position.source = lookup(position.line, position.column);
      positions.push(position);
      return position.source ? `${position.source.file}:${position.source.line}${cr}` : line;
    }
    return line.replace(framed, (written, row: string, col: string) => {
      const position: StackPosition = { written, line: Number(row), column: Number(col), source: lookup(Number(row), Number(col)) };
      positions.push(position);
      return position.source ? `${position.source.file}:${position.source.line}:${position.source.column}` : written;
    });
  });
  return { text: out.join('\n'), positions };
}

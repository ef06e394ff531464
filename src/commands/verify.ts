import { statSync, truncateSync } from 'node:fs';
import { present } from '../../shared/checked.ts';
import { CodecUnavailableError, zstdMissing } from '../archive/codec.ts';
import { archiveErrorReason } from '../archive/error-reason.ts';
import { ArchiveScan } from '../archive/file.ts';
import { ArchiveError } from '../archive/format.ts';
import type { BadFrame } from '../archive/reader.ts';
import { receivedBody } from '../archive/received-body.ts';
import { archiveArgs, parseCommandArgs } from '../usage.ts';
import type { Command, CommandIO } from './command.ts';
import { FilesProgress } from './files-progress.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check every frame of an archive; --repair truncates it to the last good frame',
  usage: `broker verify FILE... [--repair] [--json]

  Exit 0: intact (or repaired). Exit 1: a bad frame (its offset and why are printed), or unreadable.
  --repair  cut the file at the first bad frame: every record before it is kept
  FILE...   one or more archives, or globs of them ('traffic.brk*': FILE and its rotated parts FILE.1,
            FILE.2, …; broker expands a glob the shell left quoted). Each file is checked, and with
            --repair each bad one repaired, on its own, its line as for one file, then a line of totals
            (--json: one object, { "files": [...], "intact", "repaired", "bad", "unchecked", "unreadable",
            "ok" }; unchecked: zstd bodies this runtime cannot inflate). Exit 1 when any file is still bad,
            cannot be read, or has bodies not checked.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('verify', argv, { repair: { type: 'boolean' }, json: { type: 'boolean' } }, true);
    const files = await archiveArgs('verify', positionals);
    const progress = new FilesProgress(io, 'broker verify', files);
    try {
      return verifyFiles(files, values.repair === true, values.json === true, progress.io, progress);
    } finally {
      progress.end();
    }
  },
};

/** Checks (with repair, repairs) the files given, each reported as it is done, then the totals of several; the exit code. */
function verifyFiles(files: string[], repair: boolean, json: boolean, io: CommandIO, progress: FilesProgress): number {
  if (files.length === 1) {
    const file = files[0] as string;
    const one = verifyOne(file, repair, io, json ? (r) => io.out(JSON.stringify(r, null, 2)) : null, progress);
    // Unreadable: --json still answers, in the shape several files give each one ({ file, error }).
    if (json && one.report === null) io.out(JSON.stringify({ file, error: one.error ?? 'unreadable' }, null, 2));
    return one.code;
  }
  // Several: each file checked (with --repair, repaired) on its own and reported as when it is alone — but
  // with --json all in one object at the end — then one line of totals. Exit 1 when any is bad or unreadable.
  const reports: (VerifyReport | { file: string; error: string })[] = [];
  let failed = 0;
  for (const file of files) {
    const { code, report, error } = verifyOne(file, repair, io, json ? () => {} : null, progress);
    if (code !== 0) failed++;
    reports.push(report ?? { file, error: error ?? 'unreadable' });
  }
  const checked = reports.filter((r): r is VerifyReport => 'records' in r);
  const summary = {
    intact: checked.filter((r) => r.bad === null && r.uncheckedBodies === 0).length,
    repaired: checked.filter((r) => r.repaired).length,
    bad: checked.filter((r) => r.bad !== null && !r.repaired).length,
    // Every frame good, but zstd bodies this runtime cannot inflate (exit 1, as for one file): not intact, not bad.
    unchecked: checked.filter((r) => r.bad === null && r.uncheckedBodies > 0).length,
    unreadable: reports.length - checked.length,
  };
  if (json) io.out(JSON.stringify({ files: reports, ...summary, ok: failed === 0 }, null, 2));
  else {
    const parts = [
      `${summary.intact} intact`,
      ...(summary.repaired ? [`${summary.repaired} repaired`] : []),
      ...(summary.bad ? [`${summary.bad} with a bad frame`] : []),
      ...(summary.unchecked ? [`${summary.unchecked} with zstd bodies not checked`] : []),
      ...(summary.unreadable ? [`${summary.unreadable} unreadable`] : []),
    ];
    io.out(`${files.length} files: ${parts.join(', ')}`);
  }
  return failed > 0 ? 1 : 0;
}

interface VerifyReport {
  file: string;
  size: number;
  records: number;
  goodEnd: number;
  bad: BadFrame | null;
  repaired: boolean;
  removedBytes: number;
  uncheckedBodies: number;
  /** With --repair, why the bad file was not cut (not writable; it grew while checked). */
  repairError?: string;
}

interface VerifyOutcome {
  code: number;
  /** Null when the file could not be read at all (then `error` says why, as on stderr). */
  report: VerifyReport | null;
  error?: string;
}

/** Checks (with repair, repairs) one file; its report goes to `json` when given, else its text line to io.out. */
function verifyOne(file: string, repair: boolean, io: CommandIO, json: ((r: VerifyReport) => void) | null, progress: FilesProgress): VerifyOutcome {
  const scan = new ArchiveScan(file);
  progress.watch(scan);
  // Records read, for when the scan throws and has no result to count them (a batch this runtime cannot inflate).
  let read = 0;
  // Frames whose CRC and record are good but whose body this runtime cannot inflate (zstd before Node
  // 22.15): not bad, so --repair never cuts them, but not checked either, so not "intact".
  let unchecked = 0;
  let firstUnchecked = 0;
  try {
    for (const r of scan.records()) {
      // A body its codec rejects ends the scan at its frame (receivedBody), the record not counted.
      const body = receivedBody(scan, r);
      if (body === null) continue;
      if (body instanceof CodecUnavailableError && unchecked++ === 0) firstUnchecked = r.offset;
      read++;
    }
  } catch (err) {
    const reason = archiveErrorReason(err);
    if (reason === null) throw err;
    // A batch this runtime cannot inflate is not damage: nothing is cut, and the broker executable reads it.
    const why =
      err instanceof CodecUnavailableError
        ? `; ${read} records before it are intact, the rest was not checked (run verify with the broker executable, Node 22)`
        : err instanceof ArchiveError
          ? ' (nothing to repair: the header itself is unreadable)'
          : '';
    io.err(`broker: ${file}: ${reason}${why}`);
    return { code: 1, report: null, error: reason };
  } finally {
    progress.done(file);
  }
  const { bad, goodEnd, size, frames: records } = present(scan.result, `the scan result of ${file}`);
  let repaired = false;
  let repairError: string | undefined;
  if (bad && repair) {
    try {
      // A file still being written (a recording on it) may look torn at a write in progress: cut only what was checked.
      const now = statSync(file).size;
      if (now !== size) repairError = `it changed size while it was checked (${size} → ${now} bytes: still being recorded?), so nothing was cut`;
      else {
        truncateSync(file, goodEnd);
        repaired = true;
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (typeof e?.code !== 'string') throw err;
      repairError = `it cannot be cut: ${e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' ? `${e.code} (make it writable, or copy it and repair the copy)` : e.message}`;
    }
  }
  const report: VerifyReport = { file, size, records, goodEnd, bad, repaired, removedBytes: repaired ? size - goodEnd : 0, uncheckedBodies: unchecked, ...(repairError ? { repairError } : {}) };
  const uncheckedText = `${unchecked} zstd bodies (first at offset ${firstUnchecked}) could not be checked: ${zstdMissing()}`;
  if (json) json(report);
  else if (!bad && unchecked) io.out(`${file}: every frame's checksum and record are good, ${records} records, ${size} bytes; ${uncheckedText}`);
  else if (!bad) io.out(`${file}: intact, ${records} records, ${size} bytes`);
  else if (repaired) io.out(`${file}: repaired: cut ${report.removedBytes} bytes at offset ${goodEnd} (${bad.reason}); ${records} records kept`);
  else if (repairError) io.out(`${file}: bad frame at offset ${bad.offset}: ${bad.reason}; ${records} records before it are intact; not repaired: ${repairError}`);
  else io.out(`${file}: bad frame at offset ${bad.offset}: ${bad.reason}; ${records} records before it are intact ('broker verify --repair ${file}' keeps them and cuts the rest)`);
  if (unchecked) io.err(`broker: ${file}: ${uncheckedText}; run verify with the broker executable (Node 22) to check them`);
  return { code: (bad && !repaired) || unchecked ? 1 : 0, report };
}

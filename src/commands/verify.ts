import { truncateSync } from 'node:fs';
import { CodecUnavailableError, decompressBody, zstdMissing } from '../archive/codec.ts';
import { ArchiveScan } from '../archive/file.ts';
import { ArchiveError } from '../archive/format.ts';
import type { BadFrame } from '../archive/reader.ts';
import { archiveArg, parseCommandArgs } from '../usage.ts';
import { describeArchiveError } from './archive-error.ts';
import type { Command } from './command.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check every frame of an archive; --repair truncates it to the last good frame',
  usage: `broker verify FILE [--repair] [--json]

  Exit 0: intact (or repaired). Exit 1: a bad frame (its offset and why are printed), or unreadable.
  --repair  cut the file at the first bad frame: every record before it is kept`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs('verify', argv, { repair: { type: 'boolean' }, json: { type: 'boolean' } }, true);
    const file = archiveArg('verify', positionals);
    const scan = new ArchiveScan(file);
    let records = 0;
    let goodEnd = 0;
    let bad: BadFrame | null = null;
    // Frames whose CRC and record are good but whose body this runtime cannot inflate (zstd before Node
    // 22.15): not bad, so --repair never cuts them, but not checked either, so not "intact".
    let unchecked = 0;
    let firstUnchecked = 0;
    try {
      for (const r of scan.records()) {
        // A frame can pass its CRC and still hold a body its codec rejects: that too is where good data ends.
        try {
          decompressBody(r.codec, r.body, r.offset);
        } catch (err) {
          if (err instanceof CodecUnavailableError) {
            if (unchecked++ === 0) firstUnchecked = r.offset;
            records++;
            continue;
          }
          if (!(err instanceof ArchiveError)) throw err;
          bad = { offset: r.offset, reason: err.message };
          break;
        }
        records++;
      }
    } catch (err) {
      const msg = describeArchiveError(err, file);
      if (msg === null) throw err;
      io.err(`broker: ${msg}${err instanceof ArchiveError ? ' (nothing to repair: the header itself is unreadable)' : ''}`);
      return 1;
    }
    const res = scan.result;
    if (res) {
      bad = res.bad;
      goodEnd = res.goodEnd;
    } else if (bad) goodEnd = bad.offset;
    const size = res?.size ?? 0;
    let repaired = false;
    if (bad && values.repair) {
      truncateSync(file, goodEnd);
      repaired = true;
    }
    const report = { file, size, records, goodEnd, bad, repaired, removedBytes: repaired ? size - goodEnd : 0, uncheckedBodies: unchecked };
    const uncheckedText = `${unchecked} zstd bodies (first at offset ${firstUnchecked}) could not be checked: ${zstdMissing()}`;
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else if (!bad && unchecked) io.out(`${file}: every frame's checksum and record are good, ${records} records, ${size} bytes; ${uncheckedText}`);
    else if (!bad) io.out(`${file}: intact, ${records} records, ${size} bytes`);
    else if (repaired) io.out(`${file}: repaired: cut ${report.removedBytes} bytes at offset ${goodEnd} (${bad.reason}); ${records} records kept`);
    else io.out(`${file}: bad frame at offset ${bad.offset}: ${bad.reason}; ${records} records before it are intact ('broker verify --repair ${file}' keeps them and cuts the rest)`);
    if (unchecked) io.err(`broker: ${file}: ${uncheckedText}; run verify with the broker executable (Node 22) to check them`);
    return (bad && !repaired) || unchecked ? 1 : 0;
  },
};

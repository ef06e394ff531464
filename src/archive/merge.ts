/*
 * Many archive files read as one (cat, replay): a k-way merge by record time that streams. Each file has one
 * cursor (an ArchiveScan reading it a chunk at a time) and the merge holds one record per file — the cursor's
 * head — in a binary heap, so memory depends on the number of files (one read buffer and one record each),
 * never on their size or record count; the read buffer shrinks as files are added (MERGE_BUFFER_BUDGET).
 *
 * Order: the smallest time first; equal times in argument order of their files, then by position in the file.
 * Each file's records are taken in the order they were written, so a file that is not in time order itself
 * (several --workers append batches to one FILE) comes out as written, merged with the others around it.
 *
 * A file that cannot be opened (missing, not an archive) or stops at a bad frame is reported in its outcome,
 * by name and offset; the other files read on.
 */
import { archiveErrorReason } from './error-reason.ts';
import { ArchiveScan, CHUNK, type ScanResult } from './file.ts';
import type { ArchiveRecord } from './record.ts';

/** A record of a merge: where it came from (the file's index in the list, its name, its offset there). */
export type MergedRecord = ArchiveRecord & { offset: number; file: string; fileIndex: number };

export interface FileOutcome {
  file: string;
  /** Records read from this file (before a bad frame, if any). */
  records: number;
  /** The scan's verdict once the file was read to its end or to a bad frame; null when it could not be read. */
  result: ScanResult | null;
  /** Why the file could not be read at all (or further): "no such file", "not a broker archive (bad magic)", an I/O error. */
  error: string | null;
}

/** Read buffers of all cursors together stay within this (each between MIN_CHUNK and MAX_CHUNK, one file's chunk). */
export const MERGE_BUFFER_BUDGET = 32 * 2 ** 20;
const MIN_CHUNK = 64 * 2 ** 10;
const MAX_CHUNK = CHUNK;

interface Head {
  record: MergedRecord;
  cursor: Cursor;
}

interface Cursor {
  index: number;
  scan: ArchiveScan;
  records: Generator<ArchiveRecord & { offset: number }>;
  outcome: FileOutcome;
}

const before = (a: Head, b: Head) => a.record.time < b.record.time || (a.record.time === b.record.time && a.cursor.index < b.cursor.index);

export class MergedScan {
  /** One per file, in the order given; complete once records() has run to its end. */
  readonly outcomes: FileOutcome[];
  /** The most records the merge held at once (the heap's size): at most one per file. */
  maxHeld = 0;
  private readonly chunk: number;
  private scans: ArchiveScan[] = [];
  /** Called after any file's chunk is read (ArchiveScan.onRead). */
  onRead: (() => void) | undefined;

  constructor(readonly files: string[]) {
    this.outcomes = files.map((file) => ({ file, records: 0, result: null, error: null }));
    this.chunk = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(MERGE_BUFFER_BUDGET / Math.max(1, files.length))));
  }

  /** Bytes read so far, all files together. */
  get read(): number {
    return this.scans.reduce((n, s) => n + s.read, 0);
  }

  /** Ends the scan of this record's file at its frame (ArchiveScan.reject); the other files read on. */
  reject(record: MergedRecord, reason: string): void {
    this.scans[record.fileIndex]?.reject(record, reason);
  }

  /** The next record of a cursor, or null at its end (its outcome then says how it ended). */
  private advance(c: Cursor): MergedRecord | null {
    try {
      const next = c.records.next();
      if (!next.done) {
        c.outcome.records++;
        return Object.assign(next.value, { file: c.outcome.file, fileIndex: c.index });
      }
      c.outcome.result = c.scan.result;
      // A rejected record was counted when it was taken; the scan counts the records before its frame.
      if (c.scan.result) c.outcome.records = c.scan.result.frames;
    } catch (err) {
      const why = archiveErrorReason(err);
      if (why === null) throw err;
      c.outcome.error = why;
      c.outcome.result = c.scan.result;
    }
    return null;
  }

  *records(): Generator<MergedRecord> {
    const heap: Head[] = [];
    const push = (h: Head) => {
      heap.push(h);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i] as Head, heap[parent] as Head)) break;
        [heap[i], heap[parent]] = [heap[parent] as Head, heap[i] as Head];
        i = parent;
      }
      this.maxHeld = Math.max(this.maxHeld, heap.length);
    };
    const pop = (): Head => {
      const top = heap[0] as Head;
      const last = heap.pop() as Head;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && before(heap[l] as Head, heap[m] as Head)) m = l;
          if (r < heap.length && before(heap[r] as Head, heap[m] as Head)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m] as Head, heap[i] as Head];
          i = m;
        }
      }
      return top;
    };
    const cursors = this.files.map((file, index): Cursor => {
      const scan = new ArchiveScan(file, this.chunk);
      scan.onRead = this.onRead;
      return { index, scan, records: scan.records(), outcome: this.outcomes[index] as FileOutcome };
    });
    this.scans = cursors.map((c) => c.scan);
    try {
      for (const c of cursors) {
        const record = this.advance(c);
        if (record) push({ record, cursor: c });
      }
      while (heap.length > 0) {
        const { record, cursor } = pop();
        // The record goes out before its cursor reads on: the next read may reuse the buffer its body is in.
        yield record;
        const next = this.advance(cursor);
        if (next) push({ record: next, cursor });
      }
    } finally {
      for (const c of cursors) c.records.return(undefined); // closes the files of a merge stopped early
    }
  }
}

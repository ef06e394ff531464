/*
 * The progress line of a command that reads archives (stats, verify, cat): bytes read of all its files together,
 * from each scan's count as it reads (ArchiveScan.read, MergedScan.read). Its `io` erases the line before each line
 * the command prints on the terminal, and the line comes back at the next tick that is due.
 */
import { fileSize } from '../archive/file.ts';
import { Progress } from '../progress.ts';
import type { CommandIO } from './command.ts';

/** What is being read: one ArchiveScan, or a MergedScan of several files. */
interface Reading {
  read: number;
  onRead: (() => void) | undefined;
}

export class FilesProgress {
  readonly io: CommandIO;
  private readonly progress: Progress | undefined;
  private finished = 0;
  private current: Reading | null = null;
  /** Each file's size as the command starts (0 for one it cannot read: the command says why). */
  private readonly sizes: Map<string, number>;

  constructor(io: CommandIO, label: string, files: readonly string[], streaming = false) {
    this.sizes = new Map(files.map((f) => [f, fileSize(f)]));
    const total = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    const progress = io.progress && new Progress({ label, total, done: () => this.finished + (this.current?.read ?? 0), streaming }, io.progress);
    this.progress = progress;
    // A streaming command's lines (cat's) go where the progress line is not drawn (ProgressSink.visible).
    this.io = progress
      ? {
          out: streaming
            ? io.out
            : (line) => {
                progress.clear();
                io.out(line);
              },
          err: (line) => {
            progress.clear();
            io.err(line);
          },
        }
      : io;
  }

  /** Counts what `reading` reads, until done(). */
  watch(reading: Reading): void {
    this.current = reading;
    const { progress } = this;
    if (progress) reading.onRead = () => progress.tick();
  }

  /** `file` is read (to its end, or as far as it could be): it counts whole. */
  done(file: string): void {
    this.finished += this.sizes.get(file) ?? 0;
    this.current = null;
  }

  /** Erases the line for good. */
  end(): void {
    this.progress?.end();
  }
}

/*
 * What a recorder promises about a request it answered 2xx (record --ack, --fsync; docs/archive.md, "Durability"):
 *
 * - ack `immediate` (the default): answered as soon as its body is in, written within a flush (--flush-ms).
 *   A kill -9 loses what was answered in that last flush.
 * - ack `written`: answered only once the batch holding it has been written (group commit: the requests of a
 *   batch share its one write). A kill -9 loses nothing answered.
 *
 * The fsync policy says when written batches are forced to the device, which is what survives the machine
 * (power, kernel): `never` while recording (close still fsyncs), after every `batch` (with ack `written`, before
 * its requests are answered), or at most `intervalMs` after a write.
 */
import { duration } from '../../shared/cli-args/duration.ts';
import { alternatives, badValue, type OptionRef } from '../../shared/cli-args/usage-error.ts';

export type AckMode = 'immediate' | 'written';
export const ACK_MODES: readonly AckMode[] = ['immediate', 'written'];

export type FsyncPolicy = 'never' | 'batch' | { intervalMs: number };

/** --fsync never|batch|DURATION (a duration: at most that long after a write, e.g. 1s). */
export function fsyncPolicy(text: string | undefined, at: OptionRef): FsyncPolicy | undefined {
  if (text === undefined) return undefined;
  if (text === 'never' || text === 'batch') return text;
  if (!/^\d/.test(text)) throw badValue(at, text, `${alternatives(['never', 'batch', 'a duration (10ms, 1s)'])}`);
  return { intervalMs: duration(text, at, { unit: 'ms', min: 1, max: 3_600_000 }) };
}

/** The policy as --fsync spells it: for the summary. */
export function fsyncText(p: FsyncPolicy): string {
  if (typeof p === 'string') return p;
  const ms = p.intervalMs;
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

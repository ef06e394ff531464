/*
 * The sink thread's entry (bundled on its own, see sink-thread.ts): opens the archive with ArchiveSink,
 * then hands it each batch, which it checksums (in slices, pausing between them) and writes. Replies carry
 * the sink's counters.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { present } from '../../shared/checked.ts';
import { ArchiveFileError, ArchiveSink, emptySinkCounters } from './archive-sink.ts';
import type { FromThread, SinkThreadData, ThreadReply, ToThread } from './sink-thread.ts';

/**
 * This thread runs 5 nice levels below the listener, so a listener woken by a request gets the CPU before a
 * batch's checksums when the cores are busy: a lower p99 than at equal priority (docs/benchmarks.md, "Design
 * figures"). Five levels, not more: by the scheduler's weights the thread still gets a quarter of a core
 * against a busy listener on the same core, above the share of it the thread needs at full load (same
 * section); at nice 19 the weights would give it 1.5%, and a one-core machine would drop records.
 */
function yieldToListener(): void {
  try {
    // Linux: /proc/thread-self names this thread's id, and setpriority on a thread id applies to that thread.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(19, getPriority(tid) + 5));
  } catch {
    // No /proc (not Linux) or not allowed: equal priority works too.
  }
}

/**
 * The sink checksums a batch in 256 KiB slices and this thread sleeps briefly between them. A running thread
 * keeps its core for its scheduler slice, nice or not, while the threads serving and sending requests wait
 * behind it (perf sched: most of their waits over 0.3 ms were); slices cap that wait. docs/benchmarks.md
 * has the measurements (p99, throughput, slice sizes).
 */
const PAUSE_MS = 0.02; // ~70 µs with the kernel's default timer slack
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const pause = () => void Atomics.wait(sleepCell, 0, 0, PAUSE_MS);

const { sink: sinkOptions, nice } = workerData as SinkThreadData;
if (nice) yieldToListener();
const port = present(parentPort, 'parentPort (this code runs only as the sink worker thread)');
let sink: ArchiveSink | null = null;

function reply(m: ThreadReply): void {
  const message: FromThread = {
    ...m,
    counters: sink?.counters ?? emptySinkCounters(),
  };
  // A written batch's memory goes back to the event loop's pool.
  port.postMessage(message, m.type === 'written' ? [m.buffer] : []);
}

function failed(err: unknown): void {
  const known = err instanceof ArchiveFileError ? err : null;
  reply({ type: 'failed', message: err instanceof Error ? err.message : String(err), code: known?.code, written: known?.written ?? null });
}

try {
  sink = new ArchiveSink(sinkOptions, { pause });
  reply({ type: 'ready' });
} catch (err) {
  failed(err);
}

port.on('message', async (m: ToThread) => {
  if (m.type === 'close') {
    try {
      sink?.close();
      reply({ type: 'closed' });
    } catch (err) {
      failed(err);
    }
    return;
  }
  try {
    if (!sink) throw new Error('archive is not open');
    await sink.write(Buffer.from(m.buffer), m.length, m.backlog);
    reply({ type: 'written', buffer: m.buffer });
  } catch (err) {
    failed(err);
  }
});

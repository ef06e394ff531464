/*
 * The sink thread's entry (bundled on its own, see sink-thread.ts): opens the archive with ArchiveSink,
 * then for each batch fills in the frames' checksums and writes it. Replies carry the sink's counters.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checksumFrames } from '../archive/format.ts';
import { ArchiveFileError, ArchiveSink, type ArchiveSinkOptions } from './archive-sink.ts';
import type { FromThread, ThreadReply, ToThread } from './sink-thread.ts';

const port = parentPort!;
let sink: ArchiveSink | null = null;

function reply(m: ThreadReply): void {
  const message: FromThread = { ...m, counters: { files: sink?.files ?? 0, directBatches: sink?.directBatches ?? 0, paddingBytes: sink?.paddingBytes ?? 0 } };
  // A written batch's memory goes back to the event loop's pool.
  port.postMessage(message, m.type === 'written' ? [m.buffer] : []);
}

function failed(err: unknown): void {
  reply({ type: 'failed', message: err instanceof Error ? err.message : String(err), code: err instanceof ArchiveFileError ? err.code : undefined });
}

try {
  sink = new ArchiveSink(workerData as ArchiveSinkOptions);
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
    const buf = Buffer.from(m.buffer);
    checksumFrames(buf, 0, m.length);
    await sink.write(buf, m.length);
    reply({ type: 'written', buffer: m.buffer });
  } catch (err) {
    failed(err);
  }
});

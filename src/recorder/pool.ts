/*
 * Fixed-size batch buffers, reused: steady-state recording allocates no new buffers, and the number
 * out at once is capped, which caps memory when the disk falls behind (the writer drops and counts
 * records instead of queueing without bound). Each buffer owns its whole ArrayBuffer, so a batch can be
 * moved (transferred, not copied) to the writing thread and back.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private out = 0;
  allocated = 0;
  reused = 0;

  constructor(
    readonly bufferSize: number,
    readonly maxBuffers: number,
  ) {}

  /** A buffer of bufferSize bytes, or null when maxBuffers are already in use. */
  acquire(): Buffer | null {
    const buf = this.free.pop();
    if (buf) {
      this.out++;
      this.reused++;
      return buf;
    }
    if (this.out >= this.maxBuffers) return null;
    this.out++;
    this.allocated++;
    return this.oneOff(this.bufferSize);
  }

  /** A buffer of its own (outside Node's 8 KiB slab, so it can live long), for one oversized frame too. */
  oneOff(size: number): Buffer {
    return Buffer.allocUnsafeSlow(size);
  }

  release(buf: Buffer): void {
    if (buf.length !== this.bufferSize) return; // a one-off buffer for an oversized frame: let GC have it
    this.out--;
    this.free.push(buf);
  }

  get inUse(): number {
    return this.out;
  }
}

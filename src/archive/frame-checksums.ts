/*
 * Staging memory for batches on their way to disk, where the frames' checksums are filled in by
 * WebAssembly SIMD (frame-checksums.c: 16 frames at a time, faster than the JS table CRC; measured in
 * docs/benchmarks.md, "Frame checksums").
 * The memory is a WebAssembly memory, which starts on a page boundary: direct I/O (O_DIRECT) writes
 * straight from it, where Buffer memory from malloc is only 16-byte aligned.
 * Where the module cannot run (a runtime without WebAssembly SIMD), the same memory takes the JS CRC.
 */
import { checksumFrames, frameBoundary } from './format.ts';
import { FRAME_CHECKSUMS_WASM } from './frame-checksums-wasm.ts';

const WASM_PAGE = 65536;
const PAGE = 4096;

interface Exports {
  init(): void;
  checksum_frames(from: number, to: number): void;
  __heap_base: WebAssembly.Global;
}

let compiled: WebAssembly.Module | null | undefined;
function frameChecksumsModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(FRAME_CHECKSUMS_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class ChecksumStage {
  private readonly memory: WebAssembly.Memory;
  private readonly simd: Exports | null = null;
  /** Where the stage starts in the memory: past the module's stack and tables, on a page boundary. */
  private readonly base: number;
  private view = Buffer.alloc(0);

  constructor(useSimd = true) {
    const module = useSimd ? frameChecksumsModule() : null;
    if (!module) {
      this.memory = new WebAssembly.Memory({ initial: 0 });
      this.base = 0;
      return;
    }
    this.memory = new WebAssembly.Memory({ initial: 2 });
    this.simd = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.simd.init();
    this.base = Math.ceil((this.simd.__heap_base.value as number) / PAGE) * PAGE;
  }

  /** True when checksums run in WebAssembly SIMD (false: the JS CRC). */
  get usesSimd(): boolean {
    return this.simd !== null;
  }

  /** At least `size` bytes of the stage, starting on a page boundary; growing it invalidates earlier views. */
  get(size: number): Buffer {
    if (this.view.length < size) {
      const pages = Math.ceil((this.base + size) / WASM_PAGE) - this.memory.buffer.byteLength / WASM_PAGE;
      if (pages > 0) this.memory.grow(pages);
      this.view = Buffer.from(this.memory.buffer, this.base, this.memory.buffer.byteLength - this.base);
    }
    return this.view;
  }

  /**
   * Fills in the CRC of every frame in the stage's [start, end) (frames sealed without one), stopping at
   * the first frame boundary at or past `stopAfter` so a caller can work in slices; returns where it stopped.
   * Same results as checksumFrames (format.ts).
   */
  checksumFrames(start: number, end: number, stopAfter = end): number {
    const view = this.view;
    if (!this.simd) return checksumFrames(view, start, end, stopAfter);
    // Whole frames only: the module trusts the lengths it is given.
    const stop = frameBoundary(view, start, end, stopAfter);
    if (stop > start) this.simd.checksum_frames(this.base + start, this.base + stop);
    return stop;
  }
}

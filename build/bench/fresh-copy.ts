// Start-up benches run each binary from a copy written just before their runs. On the 2-core VMs these benches run on,
// the same bytes ran 3–6% faster from a new file than from one written hours before (docs/benchmarks.md, "Start-up: an
// IPv4 listen"), and the rows mix binaries built now with ones cached for days (runtimes, the baseline artifact).
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export class FreshCopies {
  private readonly made = new Map<string, string>();

  constructor(private readonly dir: string) {}

  /** The copy of the binary at `path` (made on first ask; one per path). */
  of(path: string): string {
    let copy = this.made.get(path);
    if (!copy) {
      mkdirSync(this.dir, { recursive: true });
      copy = join(this.dir, `${this.made.size}-${basename(path)}`);
      copyFileSync(path, copy);
      chmodSync(copy, 0o755);
      this.made.set(path, copy);
    }
    return copy;
  }
}

import type { Arch } from '../../../shared/toolchain/arch.ts';
import type { Allocator, IntlMode } from './context.ts';

/**
 * The options of `npm run runtime` that build this runtime, defaults left out (x64, jemalloc, full
 * ICU, the default Node line when `node` is undefined): " --node 24 --arch arm64", or "" for the
 * default runtime. For messages that tell a user the command to run.
 */
export function runtimeBuildFlags(o: { node?: string; arch: Arch; allocator?: Allocator; intl?: IntlMode; pointerCompression?: boolean }): string {
  return [
    o.node === undefined ? '' : ` --node ${o.node}`,
    o.arch === 'x64' ? '' : ` --arch ${o.arch}`,
    (o.allocator ?? 'jemalloc') === 'jemalloc' ? '' : ` --allocator ${o.allocator}`,
    (o.intl ?? 'full') === 'full' ? '' : ` --intl ${o.intl}`,
    o.pointerCompression ? ' --pointer-compression' : '',
  ].join('');
}

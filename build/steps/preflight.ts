import { readFile } from 'node:fs/promises';
import { readElfFile } from '../../shared/elf/file.ts';
import { PT_NOTE } from '../../shared/elf/parse.ts';
import { SEA_FUSE } from '../../shared/elf/sea.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';

/**
 * Refuses inputs that would give a broken artifact while postject reports success:
 * a bundle holding the sentinel, or a runtime without a PT_NOTE segment (postject issue 107).
 */
async function checkInputs(ctx: Ready<BuildContext, 'bundle' | 'runtime'>): Promise<string> {
  const { bundle, runtime } = ctx;
  const code = await readFile(bundle.path, 'latin1');
  const at = code.indexOf(SEA_FUSE);
  if (at >= 0) {
    const around = code.slice(Math.max(0, at - 40), at + SEA_FUSE.length + 10).replace(/\s+/g, ' ');
    throw new BuildError(`the bundle contains Node's SEA sentinel ${SEA_FUSE} at byte ${at} (…${around}…); the fuse would be ambiguous. Build the string at run time instead of writing it as a literal.`);
  }
  const elf = readElfFile(runtime.path);
  if (!elf.programHeaders.some((p) => p.type === PT_NOTE)) {
    throw new BuildError(`runtime ${runtime.path} has no PT_NOTE program header: postject would report success and inject nothing (postject issue 107). Relink the runtime with -Wl,--build-id.`);
  }
  return 'sentinel absent from bundle, runtime has PT_NOTE';
}

export const preflightStep = distStep({ name: 'preflight', needs: ['bundle', 'runtime'], run: checkInputs });

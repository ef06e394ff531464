// npm run dev-tools [-- run BIN [ARGS…]]: install the test and bench tools (dev-tools/), or run one of their
// bins in the current directory (`npm run sbom` runs cyclonedx-npm this way).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { ensureDevTools } from './dev-tools.ts';

const log = { info: (l: string) => process.stderr.write(`${l}\n`), progress: () => {} };
const [command, bin, ...args] = process.argv.slice(2);

try {
  const dir = await ensureDevTools(log);
  if (command === undefined) {
    console.log(dir);
  } else if (command === 'run' && bin) {
    const path = join(dir, 'node_modules', '.bin', bin);
    if (!existsSync(path)) throw new BuildError(`dev-tools has no bin named ${bin} (in ${join(dir, 'node_modules', '.bin')})`);
    const r = spawnSync(path, args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  } else {
    console.error('usage: npm run dev-tools [-- run BIN [ARGS…]]');
    process.exit(2);
  }
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  console.error(`dev-tools: ${err.message}`);
  process.exit(1);
}

// npm run dev-tools [-- run BIN [ARGS…]]: install the test and bench tools (dev-tools/), or run one of their
// bins in the current directory (`npm run sbom` runs cyclonedx-npm this way).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { ensureDevTools } from './dev-tools.ts';

const log = { info: (l: string) => process.stderr.write(`${l}\n`), progress: () => {} };
const [command, bin, ...args] = process.argv.slice(2);
const USAGE = 'usage: npm run dev-tools [-- run BIN [ARGS…]]   (no arguments: install the tools, print their directory)';

// The arguments first: a mistake must not wait for (or start) the install of ~600 packages.
if (command === '--help' || command === '-h') {
  console.log(USAGE);
  process.exit(0);
}
if (command !== undefined && !(command === 'run' && bin)) {
  console.error(`dev-tools: ${command === 'run' ? "'run' needs the BIN to run" : `unknown command '${command}': the command is run`}\n${USAGE}`);
  process.exit(2);
}

try {
  const dir = await ensureDevTools(log);
  if (command === undefined) {
    console.log(dir);
  } else {
    const path = join(dir, 'node_modules', '.bin', bin as string);
    if (!existsSync(path)) throw new BuildError(`dev-tools has no bin named ${bin} (in ${join(dir, 'node_modules', '.bin')})`);
    const r = spawnSync(path, args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  console.error(`dev-tools: ${err.message}`);
  process.exit(1);
}

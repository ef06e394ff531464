#!/usr/bin/env node
// The installed toolchain's command (`npx seal …`): the TypeScript sources run through tsx's loader, as they
// do in this checkout. `seal runtime …` is the static runtime's CLI; everything else is build/cli.ts.
import { register } from 'tsx/esm/api';

register();
// Help and messages then name `npx seal …`, not this repository's npm scripts.
(await import('../invocation.ts')).markInstalled();
if (process.argv[2] === 'runtime') {
  process.argv.splice(2, 1);
  await import('../runtime/static/cli.ts');
} else {
  await import('../cli.ts');
}

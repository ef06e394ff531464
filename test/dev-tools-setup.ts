// vitest globalSetup: the test tools (dev-tools/: verdaccio, pkg, CycloneDX) installed once, before any test
// file runs, so no test's own hook pays for (or races on) the first install.
import { ensureDevTools } from '../build/dev-tools/dev-tools.ts';

export default async function setup(): Promise<void> {
  await ensureDevTools({ info: (l) => process.stderr.write(`${l}\n`), progress: () => {} });
}

// Drives @yao-pkg/pkg's simple SEA mode through its module API with a local Node runtime.
// pkg's CLI downloads base binaries from nodejs.org and insists on a Node >= 22 host, so the
// benchmark runs this file with the runtime itself (Node 22 strips the types) and hands pkg
// the same binary as nodePath: no download, like-for-like with broker's own pipeline. PKG_DIR is the
// installed @yao-pkg/pkg (from dev-tools/: this file runs outside tsx and takes no imports of ours).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const [entry, nodePath, output, pkgDir] = process.argv.slice(2);
if (!entry || !nodePath || !output || !pkgDir) {
  console.error('usage: pkg-sea.ts ENTRY NODE_PATH OUTPUT PKG_DIR');
  process.exit(2);
}
const sea = require(join(pkgDir, 'lib-es5/sea.js')) as {
  default(entry: string, opts: { targets: object[]; nodePath: string }): Promise<void>;
};
const started = performance.now();
await sea.default(entry, {
  targets: [{ nodeRange: `node${process.versions.node.split('.')[0]}`, platform: 'linux', arch: 'x64', output }],
  nodePath,
});
console.log(JSON.stringify({ ms: Math.round(performance.now() - started) }));

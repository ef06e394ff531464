/*
 * The real-world table: popular CLIs from npm, each at an exact version, each given a real task that runs
 * offline. A row's `seal`/`pkg` sections are the config that CLI needed (docs/real-world.md lists them).
 */
import type { RealWorldCli } from './table.ts';

const SVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- drawn by hand -->
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
  <g fill="#ff0000">
    <rect x="10" y="10" width="80" height="80" fill="#FF0000"/>
    <circle cx="50.00000" cy="50.0000" r="20" fill="#0000ff"/>
  </g>
</svg>
`;

export const CLIS: RealWorldCli[] = [
  {
    name: 'prettier',
    package: 'prettier',
    version: '3.10.1',
    kind: 'formatter (loads its CLI and plugins through import())',
    bin: 'prettier',
    note: "Its bin reaches all of its code through `new Function('module', 'return import(module)')`, which no bundler can see: the bundle is its 1 KiB bin. The toolchain makes that import() resolve a relative name from the bin's own place among the embedded files (it would otherwise resolve against the working directory: `--version` failed with ERR_MODULE_NOT_FOUND for `<cwd>/../internal/legacy-cli.mjs`), and embeds what the bin names literally (`../internal/legacy-cli.mjs`, `../internal/experimental-cli.mjs`) with every file they import by relative name (index.mjs, doc.mjs, the plugins), which run unbundled. No config. pkg passes because it ships prettier's files unbundled.",
    task: {
      kind: 'command',
      describe: 'format a TypeScript and a Markdown file to stdout',
      files: { 'in.ts': 'const  a = {b:1,\n c: [1,2,3]}\nfunction f( x:number ){return x*2}\n', 'in.md': '# T\n\n* a\n* b\n\n|a|b|\n|-|-|\n|1|2|\n' },
      args: ['in.ts', 'in.md'],
      compare: ['exit', 'stdout', 'stderr'],
      exit: 0,
      expect: 'function f\\(x: number\\) \\{',
    },
  },
  {
    name: 'eslint',
    package: 'eslint',
    version: '10.16.0',
    kind: 'linter (many dependencies; imports the project’s flat config file)',
    bin: 'eslint',
    // pkg's walker does not see the formatter eslint loads by a computed import(); a package.json `pkg` field
    // would be replaced by pkg's dictionary entry for eslint (lib/formatters/*.js, a path eslint 10 does not have), hence .pkgrc.
    pkg: { scripts: ['lib/cli-engine/formatters/*.js'] },
    // The formatter is loaded by a computed import() and runs unbundled from the embedded files, so its own requires must be there too.
    seal: { assets: ['lib/cli-engine/formatters/*.js', 'lib/shared/*.js'] },
    note: 'Needs seal.assets: eslint loads its formatter (`lib/cli-engine/formatters/stylish.js`) by a computed import(), which the build names as a warning; embedded with `lib/shared/*.js` (the formatter runs unbundled, so what it requires must be there too). `import("jiti")`, an optional peer dependency used only for TypeScript config files, is left to run time with a warning, as Node leaves it; the project\'s config is imported by file URL with `?mtime=…`, which the binary\'s require takes. pkg passes with its config in .pkgrc (see above).',
    task: {
      kind: 'command',
      describe: 'lint a file with a flat config (4 problems, exit 1)',
      files: {
        'eslint.config.mjs': 'export default [{ files: ["**/*.js"], rules: { "no-unused-vars": "error", semi: ["error", "always"], "no-var": "error" } }];\n',
        'in.js': 'var x = 1\nlet unused = 2;\nconsole.log(x)\n',
      },
      args: ['in.js'],
      compare: ['exit', 'stdout', 'stderr'],
      exit: 1,
      expect: '4 problems',
    },
  },
  {
    name: 'typescript',
    package: 'typescript',
    version: '5.9.3',
    kind: 'compiler (reads lib.*.d.ts next to its code)',
    bin: 'tsc',
    seal: { assets: ['lib/lib.*.d.ts'] },
    note: "tsc finds lib.*.d.ts from its own file's directory through its own path helpers, reads the toolchain cannot see: the assets were named by hand (without them: `error TS2318: Cannot find global type 'Array'`).",
    task: {
      kind: 'command',
      describe: 'compile a file with a type error: diagnostics, .js and .d.ts',
      files: {
        'main.ts': 'interface P { name: string; age: number }\nexport function greet(p: P): string {\n  return "hi " + p.name + ", " + p.age.toFixed(0);\n}\nconst n: number = "x";\nexport const xs = [1, 2, 3].map((x) => x * 2);\n',
      },
      args: ['--strict', '--target', 'es2022', '--module', 'nodenext', '--declaration', '--pretty', 'false', '--outDir', 'out', 'main.ts'],
      compare: ['exit', 'stdout', 'stderr', 'files'],
      exit: 2,
      expect: 'TS2322',
    },
  },
  {
    name: 'cowsay',
    package: 'cowsay',
    version: '1.6.0',
    kind: 'toy (reads .cow files next to its code)',
    bin: 'cowsay',
    seal: { assets: ['cows/**'] },
    note: 'Without config the binary fails with ENOENT on /seal/node_modules/cowsay/cows/dragon.cow; `npm run pack` says so at build time (`lib/cows.js:36: … reads cows — add "cows" to seal.assets`), and with that line it passes.',
    task: { kind: 'command', describe: 'say hello as a dragon (cows/dragon.cow)', files: {}, args: ['-f', 'dragon', 'hello'], compare: ['exit', 'stdout', 'stderr'], exit: 0, expect: '< hello >' },
  },
  {
    name: 'http-server',
    package: 'http-server',
    version: '14.1.1',
    kind: 'server',
    bin: 'http-server',
    note: "`require('spdy')` in its dependency union is an optional package required only when HTTP/2 is asked for: the build leaves it to run time with a warning naming union/lib/core.js and the line, as Node leaves it.",
    task: {
      kind: 'server',
      describe: 'serve a directory: a file, a directory listing, a 404',
      files: { 'site/hello.txt': 'hello\n', 'site/index.html': '<h1>hi</h1>\n', 'site/sub/a.txt': 'a\n' },
      args: ['site', '-p', '{port}', '-a', '127.0.0.1', '-c-1', '--silent'],
      requests: ['/hello.txt', '/', '/sub/', '/missing'],
      expect: '^hello\\n$',
    },
  },
  {
    name: 'create-vite',
    package: 'create-vite',
    version: '9.3.0',
    kind: 'scaffolder, ESM-only (copies template-*/ next to its code)',
    bin: 'create-vite',
    seal: { assets: ['template-*/**'], smoke: { args: ['create-vite', '--help'] } },
    // pkg's walker does not see the template directories read with fs.
    pkg: { assets: ['template-*/**'] },
    note: "Copies its templates with fs.copyFileSync; the binary serves copies out of the embedded files (the assets prelude does; @roberts_lando/vfs 0.3.3 does not, nor does pkg's copy of it: pkg fails with `ENOENT … copyfile '/snapshot/…'`). It has no --version: the toolchain's default smoke check ran `create-vite --version`, which scaffolded an (empty) project named vite-project before failing (the smoke check now runs in an empty scratch directory, so nothing lands in the caller's), hence `smoke: create-vite --help`.",
    task: {
      kind: 'command',
      describe: 'scaffold a react-ts project offline',
      files: {},
      args: ['myapp', '--template', 'react-ts', '--no-interactive', '--no-immediate'],
      compare: ['exit', 'stdout', 'files'],
      exit: 0,
      expect: 'Scaffolding project in <cwd>/myapp',
    },
  },
  {
    name: 'marked',
    package: 'marked',
    version: '18.3.0',
    kind: 'Markdown to HTML, ESM-only',
    bin: 'marked',
    seal: { assets: ['package.json'] },
    note: '`--version` (the smoke check) loads ../package.json through `createRequire(import.meta.url)`: the build now stops and names it (`add "package.json" to seal.assets`); with package.json in seal.assets it passes.',
    task: {
      kind: 'command',
      describe: 'render a Markdown file with a table and code',
      files: { 'in.md': '# Title\n\nSome *text* with `code` and a [link](http://x.y).\n\n- a\n- b\n\n```js\nlet x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n' },
      args: ['-i', 'in.md', '--gfm'],
      compare: ['exit', 'stdout', 'stderr'],
      exit: 0,
      expect: '<th>a</th>',
    },
  },
  {
    name: 'svgo',
    package: 'svgo',
    version: '4.1.0',
    kind: 'optimizer, ESM-only',
    bin: 'svgo',
    seal: { assets: ['package.json'] },
    note: 'lib/svgo/coa.js reads its package.json with a top-level await, which esbuild cannot put into CommonJS: the toolchain bundles it as one ES module behind a CommonJS launcher (docs/toolchain.md, "Top-level await"). css-tree and csso load JSON data through createRequire(import.meta.url) — their own files by relative path, mdn-data\'s by package name — which esbuild does not follow: the toolchain embeds each such file it can resolve. The package.json read through fs was named by hand (the build warns about it).',
    task: { kind: 'command', describe: 'optimize an SVG file', files: { 'in.svg': SVG }, args: ['in.svg', '-o', 'out.svg', '--quiet'], compare: ['exit', 'stdout', 'stderr', 'files'], exit: 0 },
  },
  {
    name: 'uglify-js',
    package: 'uglify-js',
    version: '3.19.3',
    kind: 'minifier (evaluates its lib/*.js read through fs at start)',
    bin: 'uglifyjs',
    seal: { assets: ['lib/*.js', 'tools/exports.js'] },
    note: '`require("acorn")` (only for `-p acorn`) and `require("../test/reduce")` (only for --reduce-test; not in the published package) are left to run time with warnings, as Node leaves them; `require.resolve` of its lib files resolves from the module\'s own place under /seal.',
    task: {
      kind: 'command',
      describe: 'compress and mangle a file',
      files: { 'in.js': 'function add(first, second) {\n  var total = first + second;\n  return total;\n}\nconsole.log(add(1, 2));\n' },
      args: ['in.js', '-c', '-m'],
      compare: ['exit', 'stdout', 'stderr'],
      exit: 0,
      expect: 'function add\\(\\w,\\w\\)',
    },
  },
  {
    name: 'esbuild',
    package: 'esbuild',
    version: '0.28.2',
    kind: 'bundler shipped as a native executable (@esbuild/linux-x64)',
    bin: 'esbuild',
    note: "Not a Node program: esbuild's install script replaces bin/esbuild with the native executable of @esbuild/linux-x64, so plain node fails on it (SyntaxError at the ELF header), the toolchain refuses it before bundling, saying what it is (`bin/esbuild, a native executable (ELF), not JavaScript: there is no Node program to build; ship that executable as it is`) and pkg packs it as a script that fails like node. Nothing to fix; ship esbuild's own binary.",
    task: {
      kind: 'command',
      describe: 'transpile a TypeScript file',
      files: { 'in.ts': 'export const f = (x: number): number => x * 2;\n' },
      args: ['in.ts', '--format=esm'],
      compare: ['exit', 'stdout', 'stderr'],
      exit: 0,
      expect: 'export const f = \\(x\\) => x \\* 2;',
    },
  },
  {
    name: 'tailwindcss',
    package: '@tailwindcss/cli',
    version: '4.3.5',
    kind: 'CSS compiler, ESM-only, three native addons picked by platform (napi-rs and node-gyp-build packages)',
    bin: 'tailwindcss',
    seal: { smoke: { args: ['--help'] } },
    note: "Loads three addons from platform packages npm installs for this machine: @tailwindcss/oxide's napi-rs index requires `@tailwindcss/oxide-linux-x64-gnu` (a package whose main is its .node file, which esbuild cannot load), lightningcss requires `lightningcss-<platform>` and @parcel/watcher `@parcel/watcher-<platform>-glibc` (computed names: the toolchain embeds each installed package whose name starts with the literal part, by its main). It reads its version through `readFileSync(resolve('tailwindcss/package.json'))` (a package.json named so is embedded). Its bundle is an ES module (top-level await), where a CommonJS module's require is esbuild's shim, which the load analysis now reads as require. `--version` (the default smoke check) compiles `@import \"tailwindcss\"` from the working directory, which needs tailwindcss installed there (plain node fails the same way in an empty directory), hence `smoke: --help`; the task compiles a stylesheet that imports nothing. stderr (\"Done in N ms\") is not compared.",
    task: {
      kind: 'command',
      describe: 'compile a stylesheet for the classes an HTML file uses, minified',
      files: { 'in.css': '@theme {\n  --spacing: 0.25rem;\n  --color-red-500: #ef4444;\n}\n@tailwind utilities;\n', 'index.html': '<div class="p-4 text-red-500 flex hover:p-8"></div>\n' },
      args: ['-i', 'in.css', '-o', 'out.css', '--minify'],
      compare: ['exit', 'stdout', 'files'],
      exit: 0,
    },
  },
  {
    name: 'sharp-cli',
    package: 'sharp-cli',
    version: '6.1.0',
    kind: 'image tool, ESM-only, native addon (sharp → libvips)',
    bin: 'sharp',
    note: "sharp (0.35) loads its addon with `createRequire(import.meta.url)('@img/sharp-linux-x64/sharp.node')`, which esbuild does not follow; that package's exports map sends it to index.cjs, which requires lib/sharp-linux-x64-0.35.4.node, whose run path finds libvips-cpp.so (18 MB) in the neighbouring @img/sharp-libvips-linux-x64 package (`$ORIGIN/../../sharp-libvips-linux-x64/lib`). The toolchain resolves the require as Node would, embeds index.cjs with its package.json and the addon, and the addon with the libraries its run path finds; at run time they are copied out together, each at its place, so the same run path finds libvips. No config. The static runtime refuses it at build time (a static musl binary cannot dlopen; sharp's WebAssembly build, @img/sharp-wasm32, is the way there). pkg fails earlier: its walker misses yargs' ESM-only dependency escalade.",
    task: { kind: 'command', describe: 'render an SVG to a 32×32 PNG', files: { 'in.svg': SVG }, args: ['-i', 'in.svg', '-o', 'out.png', 'resize', '32', '32'], compare: ['exit', 'stdout', 'stderr', 'files'], exit: 0 },
  },
];

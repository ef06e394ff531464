// The embedded files' tree as prelude/assets.cjs gives it to @roberts_lando/vfs: filled lazily, a directory when the
// program first reaches it, through the memory provider's own populate hook (the library is pinned; if a new version
// moves the hook, populateLazily throws, naming the library, and every binary with embedded files would fail at start).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// The prelude reads a constant the bundle defines; outside a SEA it mounts nothing.
(globalThis as Record<string, unknown>).__SEAL_VIRTUAL_ROOT__ = '/seal';
const { create, MemoryProvider } = require('@roberts_lando/vfs');
const { populateLazily } = require('../../build/project/prelude/assets.cjs') as { populateLazily: (provider: unknown, index: [string, number][], data: Buffer, root: string) => boolean };

describe('the embedded files, filled as the program reaches them', () => {
  it("takes the library's populate hook, and serves files, sizes, listings and empty directories as the index says", () => {
    const index: [string, number][] = [
      ['/seal/bin', -1],
      ['/seal/node_modules/cowsay/cows/a.cow', 3],
      ['/seal/node_modules/cowsay/cows/b.cow', 2],
      ['/seal/package.json', 4],
    ];
    const provider = new MemoryProvider();
    const vfs = create(provider);
    expect(populateLazily(provider, index, Buffer.from('aaabb{}\n\n'), '/seal')).toBe(true);
    provider.setReadOnly();
    expect(vfs.readFileSync('/node_modules/cowsay/cows/a.cow', 'utf8')).toBe('aaa');
    expect(vfs.readFileSync('/node_modules/cowsay/cows/b.cow', 'utf8')).toBe('bb');
    expect(vfs.statSync('/node_modules/cowsay/cows/b.cow').size).toBe(2);
    expect(vfs.readdirSync('/node_modules/cowsay/cows').sort()).toEqual(['a.cow', 'b.cow']);
    expect(vfs.readdirSync('/').sort()).toEqual(['bin', 'node_modules', 'package.json']);
    expect(vfs.statSync('/bin').isDirectory()).toBe(true);
    expect(vfs.readdirSync('/bin')).toEqual([]);
    expect(vfs.readFileSync('/package.json', 'utf8')).toBe('{}\n\n');
    expect(vfs.existsSync('/node_modules/cowsay/cows/c.cow')).toBe(false);
  });
});

describe('the mount, made when the program first reaches a path under the root (prelude/first-use.cjs)', () => {
  // In a child process: the mount patches the process's own fs and Module.
  const mountInChild = (first: string) => {
    const script = `(async () => {
      globalThis.__SEAL_VIRTUAL_ROOT__ = '/seal';
      const fs = require('node:fs'), Module = require('node:module');
      const { mount, pathsOf } = require(${JSON.stringify(require.resolve('../../build/project/prelude/assets.cjs'))});
      const lists = require(${JSON.stringify(require.resolve('../../build/project/prelude/first-use.cjs'))});
      const tree = { index: [['/seal/data', -1], ['/seal/data/a.txt', 3], ['/seal/node_modules/pkg/index.js', 19]], data: Buffer.from('aaamodule.exports = 7;') };
      const paths = pathsOf(tree.index, tree.data, '/seal');
      lists.mountOnFirstUse('/seal', () => mount('/seal', tree.index, tree.data), { file: (p) => paths.files.get(p), has: (p) => paths.files.has(p) || paths.dirs.has(p) });
      const objects = () => ({ fs, promises: fs.promises, Module, extensions: Module._extensions });
      const snapshot = () => Object.fromEntries(Object.entries(objects()).map(([k, o]) => [k, new Map(Object.getOwnPropertyNames(o).map((n) => [n, Object.getOwnPropertyDescriptor(o, n).value]))]));
      const before = snapshot();
      const read = await (${first});
      const after = snapshot();
      const changed = Object.fromEntries(Object.keys(before).map((k) => [k, [...after[k]].filter(([n, v]) => before[k].get(n) !== v).map(([n]) => n).sort()]));
      console.log(JSON.stringify({ read: String(read), changed, lists: { fs: lists.FS, promises: lists.PROMISES, Module: lists.MODULE } }));
    })();`;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      read: string;
      changed: Record<'fs' | 'promises' | 'Module' | 'extensions', string[]>;
      lists: Record<'fs' | 'promises' | 'Module', string[]>;
    };
  };

  it('patches only what the first-use wrappers check: nothing reaches the root unserved before the mount', () => {
    const r = mountInChild("fs.statSync('/seal/data/a.txt').size");
    expect(r.read).toBe('3');
    // Every function the mount replaced is one a wrapper mounts on; module loading's own extensions are reached only
    // through Module._load, which is wrapped.
    expect(r.changed.fs.length).toBeGreaterThan(10);
    expect(r.changed.fs.filter((n) => !r.lists.fs.includes(n))).toEqual([]);
    expect(r.changed.promises.length).toBeGreaterThan(3);
    expect(r.changed.promises.filter((n) => !r.lists.promises.includes(n))).toEqual([]);
    expect(r.changed.Module.filter((n) => !r.lists.Module.includes(n))).toEqual([]);
  });

  it('readFileSync of an embedded file and existsSync answer without the mount, as Node would; a read of anything else there mounts', () => {
    const reads: [string, string][] = [
      ["fs.readFileSync('/seal/data/a.txt', 'utf8')", 'aaa'],
      ["fs.readFileSync('/seal/data/../data/a.txt', { encoding: 'latin1' })", 'aaa'],
      ["(() => { const b = fs.readFileSync(new URL('file:///seal/data/a.txt')); b[0] = 98; return b.toString() + fs.readFileSync('/seal/data/a.txt', 'utf8'); })()", 'baaaaa'],
    ];
    for (const [read, expected] of reads) {
      const r = mountInChild(read);
      expect([read, r.read, r.changed.fs]).toEqual([read, expected, []]);
    }
    // existsSync from the same tree: files, the directories the index names and those a path passes through.
    const exists = mountInChild("['/seal', '/seal/data', '/seal/data/a.txt', '/seal/node_modules', '/seal/node_modules/pkg', '/seal/data/b.txt', '/seal/dat', new URL('file:///seal/data/')].map((p) => fs.existsSync(p)).join()");
    expect([exists.read, exists.changed.fs]).toEqual(['true,true,true,true,true,false,false,true', []]);
    // A directory read as a file: EISDIR, as Node says it (the library alone said ENOENT), from each way of reading.
    const dir = mountInChild("(() => { try { fs.readFileSync('/seal/data'); } catch (e) { return JSON.stringify([e.message, e.code, e.errno, e.syscall, e.path]); } })()");
    const plain = execFileSync(process.execPath, ['-e', "try { require('fs').readFileSync('/tmp') } catch (e) { console.log(JSON.stringify([e.message, e.code, e.errno, e.syscall, e.path])) }"], { encoding: 'utf8' }).trim();
    expect(dir.read).toBe(plain);
    expect(dir.changed.fs.length).toBeGreaterThan(10);
    expect(mountInChild("new Promise((r) => fs.readFile('/seal/data/', 'utf8', (e) => r(e.code)))").read).toBe('EISDIR');
    expect(mountInChild("fs.promises.readFile(new URL('file:///seal/data')).catch((e) => e.code)").read).toBe('EISDIR');
    expect(mountInChild("fs.promises.readFile('/seal/data/a.txt', 'utf8')").read).toBe('aaa');
    expect(mountInChild("fs.readFileSync('/seal/data/a.txt', { flag: 'r+' }).toString()").changed.fs.length).toBeGreaterThan(10);
  });

  it('mounts on a read through fs.promises, through a function taken before the mount, on a require of a path there and of a package by name', () => {
    expect(mountInChild("fs.promises.readFile('/seal/data/a.txt', 'utf8')").read).toBe('aaa');
    expect(mountInChild("fs.readdirSync('/seal/data').join()").read).toBe('a.txt');
    // Kept before the mount (the wrapper), the mount made by another function, then a program's patch over it.
    expect(mountInChild("(() => { const kept = fs.readFileSync; fs.statSync('/seal'); fs.readFileSync = (p, o) => kept(p, o); return fs.readFileSync('/seal/data/a.txt', 'utf8'); })()").read).toBe('aaa');
    expect(mountInChild("fs.existsSync('/seal/data/missing.txt') || fs.statSync('/seal/data').isDirectory()").read).toBe('true');
    // A package by name from a module outside the root: the library looks in the root's node_modules too.
    expect(mountInChild("require('module').createRequire('/tmp/x.js')('pkg')").read).toBe('7');
    expect(mountInChild("(() => { try { require('/seal/data/missing.js'); } catch (e) { return e.code + ' ' + fs.existsSync('/seal/data/a.txt'); } })()").read).toBe('MODULE_NOT_FOUND true');
  });
});

describe('fs under the root answers as Node answers on the disk (prelude/assets.cjs over the library)', () => {
  // The same files embedded at /seal and written to a directory; each call made on both, the root replaced by <R>.
  const FILES: [string, string][] = [
    ['data/adir/x.txt', 'x'],
    ['data/a.txt', 'hello world\n'],
    ['data/b.json', '{}'],
    ['data/sub/c.txt', 'c'],
    ['data/sub/deeper/d.txt', 'd'],
  ];
  const CALLS = [
    "fs.existsSync(at('data/a.txt/'))",
    "fs.existsSync(at('data/sub/'))",
    "[fs.existsSync(at('data/a.txt')), fs.existsSync(at('data/sub/')), fs.existsSync(at('data/sub/.')), fs.existsSync(at('data/a.txt/')), fs.existsSync(at('data/a.txt/.'))]",
    "[fs.existsSync(new URL('file://' + at('data/a.txt/'))), fs.existsSync(new URL('file://' + at('data/sub/')))]",
    "fs.statSync(at('data/sub/')).isDirectory()",
    "fs.readdirSync(at('data/sub/')).sort()",
    "fs.statSync(at('data/nope'), { throwIfNoEntry: false })",
    "fs.lstatSync(at('data/nope'), { throwIfNoEntry: false })",
    "fs.statSync(at('data/a.txt'), { throwIfNoEntry: false }).size",
    "fs.readdirSync(at('data'), { recursive: true }).sort()",
    "fs.readdirSync(at('data'), { withFileTypes: true }).map((d) => [d.name, d.isFile(), d.isDirectory(), d.parentPath, d.path]).sort()",
    "fs.readdirSync(at('data'), { withFileTypes: true, recursive: true }).map((d) => [d.parentPath, d.name, d.isDirectory()]).sort()",
    "new Promise((done) => fs.readdir(at('data'), { recursive: true }, (e, l) => done(e ? e.code : l.sort())))",
    "fs.promises.readdir(at('data/sub'), { recursive: true }).then((l) => l.sort())",
    "fs.promises.readdir(at('data'), { withFileTypes: true }).then((l) => l.map((d) => d.parentPath + '/' + d.name).sort())",
    "fs.realpathSync.native(at('data/sub/../a.txt'))",
    "new Promise((done) => fs.realpath.native(at('data/a.txt'), (e, p) => done(e ? e.code : p)))",
    "nativeBefore(at('data/b.json'))",
    "new Promise((done) => { let s = ''; fs.createReadStream(at('data/a.txt'), { start: 2, end: 4, encoding: 'utf8' }).on('data', (c) => { s += c; }).on('end', () => done(s)); })",
    "new Promise((done) => fs.createReadStream(at('data/nope.txt'), { start: 1 }).on('error', (e) => done(e.code)))",
    "new Promise((done) => { const parts = []; fs.createReadStream(at('data/a.txt'), { start: 6 }).on('data', (c) => parts.push(c)).on('end', () => done(Buffer.concat(parts).toString())); })",
  ];

  it.each(CALLS)('%s', (call) => {
    const disk = mkdtempSync(join(tmpdir(), 'assets-disk-'));
    try {
      for (const [name, text] of FILES) {
        mkdirSync(dirname(join(disk, name)), { recursive: true });
        writeFileSync(join(disk, name), text);
      }
      const index = FILES.map(([name, text]) => [`/seal/${name}`, text.length]);
      const script = `(async () => {
        globalThis.__SEAL_VIRTUAL_ROOT__ = '/seal';
        const fs = require('node:fs');
        const { mount, pathsOf } = require(${JSON.stringify(require.resolve('../../build/project/prelude/assets.cjs'))});
        const { mountOnFirstUse } = require(${JSON.stringify(require.resolve('../../build/project/prelude/first-use.cjs'))});
        const tree = { index: ${JSON.stringify(index)}, data: Buffer.from(${JSON.stringify(FILES.map(([, t]) => t).join(''))}) };
        const paths = pathsOf(tree.index, tree.data, '/seal');
        mountOnFirstUse('/seal', () => mount('/seal', tree.index, tree.data), { file: (p) => paths.files.get(p), has: (p) => paths.files.has(p) || paths.dirs.has(p) });
        // Taken by the program before the mount, as TypeScript's sys takes it (the prelude ran first).
        const nativeBefore = fs.realpathSync.native;
        const answer = async (base) => {
          const at = (p) => base + '/' + p;
          try {
            return JSON.stringify(await (${call})) ?? 'undefined';
          } catch (e) {
            return 'throws ' + e.code;
          }
        };
        const disk = await answer(${JSON.stringify(disk)});
        const seal = await answer('/seal');
        console.log(JSON.stringify({ disk: disk.split(${JSON.stringify(disk)}).join('<R>'), seal: seal.split('/seal').join('<R>') }));
      })();`;
      const { disk: onDisk, seal } = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { disk: string; seal: string };
      expect(onDisk).not.toMatch(/^throws/);
      expect(seal).toBe(onDisk);
    } finally {
      rmSync(disk, { recursive: true, force: true });
    }
  });
});

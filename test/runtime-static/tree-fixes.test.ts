import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDepFlags } from '../../build/runtime/static/configure-flags.ts';
import { fetchZig } from '../../build/runtime/static/toolchain.ts';
import { applyEdits, backportIntoUv, EDIT_ORIGINALS, editsFor, notSharedFor, syncByContent, type TreeEdit, treeFixesFor, withoutAmalgamationStamp } from '../../build/runtime/static/tree-fixes.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { tempDir } from '../fixtures/context.ts';
import { itWhen, prerequisite } from '../fixtures/skip.ts';

// The pinned Zig (the runtime's compiler), fetched into the cache on first use: its path, or why it cannot be had.
const zig: { path: string } | { skip: string } = await fetchZig(cacheRoot(), { info: () => {}, progress: () => {} }).then(
  (pkg) => (existsSync(join(pkg.dir, 'zig')) ? { path: join(pkg.dir, 'zig') } : { skip: `the pinned Zig package has no zig binary at ${pkg.dir}` }),
  (err: Error) => ({ skip: `the pinned Zig cannot be fetched here (${err.message.split('\n')[0]})` }),
);

/**
 * The edits Node `version` makes to `file` (`count` of them), applied twice to a tree holding only that file, written
 * by `text` from them (the release's lines around the edits): the file after the first time, the second changing nothing.
 */
function editedTwice(version: string, file: string, count: number, text: (edits: TreeEdit[]) => string): string {
  const tree = tempDir('tree-fixes-file');
  mkdirSync(join(tree, dirname(file)), { recursive: true });
  const edits = editsFor(version, 'full').filter((e) => e.file === file);
  expect(edits).toHaveLength(count);
  writeFileSync(join(tree, file), text(edits));
  applyEdits(tree, edits);
  const once = readFileSync(join(tree, file), 'utf8');
  applyEdits(tree, edits);
  expect(readFileSync(join(tree, file), 'utf8')).toBe(once);
  return once;
}

/** The lines of libuv 1.51's uv.h, tcp.c and fs.c the backports work on. */
function fakeUv(): string {
  const uv = tempDir('tree-fixes-uv');
  mkdirSync(join(uv, 'include'), { recursive: true });
  mkdirSync(join(uv, 'src', 'unix'), { recursive: true });
  writeFileSync(
    join(uv, 'include', 'uv.h'),
    'UV_EXTERN int uv_tcp_nodelay(uv_tcp_t* handle, int enable);\nUV_EXTERN int uv_tcp_simultaneous_accepts(uv_tcp_t* handle, int enable);\nstruct uv_statfs_s {\n  uint64_t f_files;\n  uint64_t f_ffree;\n  uint64_t f_spare[4];\n};\n',
  );
  writeFileSync(join(uv, 'src', 'unix', 'tcp.c'), 'int uv__tcp_keepalive(int fd, int on, unsigned int delay) { return 0; }\n');
  writeFileSync(join(uv, 'src', 'unix', 'fs.c'), '  stat_fs->f_files = buf.f_files;\n  stat_fs->f_ffree = buf.f_ffree;\n  req->ptr = stat_fs;\n');
  const old = new Date('2026-01-01T00:00:00Z');
  for (const f of ['include/uv.h', 'src/unix/tcp.c', 'src/unix/fs.c']) utimesSync(join(uv, f), old, old);
  return uv;
}

describe('what a Node version needs in its tree beyond --shared-* libraries', () => {
  it('Node 22 needs nothing (its configure keeps its key); 24 takes its removed deps from 22, V8 builds simdutf', () => {
    expect(treeFixesFor('22.22.2')).toBeUndefined();
    const fixes = treeFixesFor('24.21.0');
    expect(fixes?.donor.source).toBe('node-22');
    expect(fixes?.donor.paths).toContain('deps/uv');
    expect(notSharedFor(fixes)).toEqual(['simdutf']);
    expect(notSharedFor(undefined)).toEqual([]);
  });

  it('a dep left to the tree gets no --shared-* flag', () => {
    const lib = { includeDir: '/s/include', libDir: '/s/lib', libNames: ['x'] };
    const libs = Object.fromEntries(['openssl', 'zlib', 'cares', 'nghttp2', 'brotli', 'zstd', 'llhttp', 'simdutf', 'simdjson', 'ada'].map((d) => [d, lib]));
    expect(sharedDepFlags(libs).join(' ')).toContain('--shared-simdutf');
    expect(sharedDepFlags(libs, ['simdutf']).join(' ')).not.toContain('simdutf');
  });

  it('the libuv backport declares uv_tcp_keepalive_ex after its anchor and defines it', () => {
    const uv = fakeUv();
    backportIntoUv(uv, 'uv_tcp_keepalive_ex');
    const header = readFileSync(join(uv, 'include', 'uv.h'), 'utf8');
    expect(header).toMatch(/uv_tcp_simultaneous_accepts\(uv_tcp_t\* handle, int enable\);\nUV_EXTERN int uv_tcp_keepalive_ex\(uv_tcp_t\* handle,/);
    expect(readFileSync(join(uv, 'src', 'unix', 'tcp.c'), 'utf8')).toMatch(/int uv_tcp_keepalive_ex\(uv_tcp_t\* handle,[\s\S]*TCP_KEEPINTVL[\s\S]*TCP_KEEPCNT/);
  });

  it('the libuv backport of uv_statfs_t.f_frsize takes a spare field (the struct keeps its size) and statfs fills it', () => {
    const uv = fakeUv();
    backportIntoUv(uv, 'uv_statfs_f_frsize');
    expect(readFileSync(join(uv, 'include', 'uv.h'), 'utf8')).toMatch(/ {2}uint64_t f_ffree;\n {2}uint64_t f_frsize; [^\n]*\n {2}uint64_t f_spare\[3\];\n/);
    expect(readFileSync(join(uv, 'src', 'unix', 'fs.c'), 'utf8')).toBe('  stat_fs->f_files = buf.f_files;\n  stat_fs->f_ffree = buf.f_ffree;\n  stat_fs->f_frsize = buf.f_frsize;\n  req->ptr = stat_fs;\n');
    expect(() => backportIntoUv(uv, 'uv_statfs_f_frsize')).toThrow(/already has f_frsize: drop backport uv_statfs_f_frsize/);
    const other = fakeUv();
    writeFileSync(join(other, 'src', 'unix', 'fs.c'), 'renamed\n');
    expect(() => backportIntoUv(other, 'uv_statfs_f_frsize')).toThrow(/deps\/uv\/src\/unix\/fs.c: no "stat_fs->f_ffree = buf.f_ffree;" for backport uv_statfs_f_frsize to change/);
  });

  it("simdutf's amalgamation loses its time stamp: two runs make the same bytes (a re-configure recompiles no V8 object)", () => {
    const a = withoutAmalgamationStamp('/* auto-generated on 2026-12-04 21:20:01.123456. Do not edit! */\n/* begin file include/simdutf.h */\n', '8.2.0');
    const b = withoutAmalgamationStamp('/* auto-generated on 2026-12-04 22:46:58.541216. Do not edit! */\n/* begin file include/simdutf.h */\n', '8.2.0');
    expect(a).toBe(b);
    expect(a).toBe("/* auto-generated from simdutf 8.2.0; its time stamp dropped by broker's static runtime build */\n/* begin file include/simdutf.h */\n");
    expect(() => withoutAmalgamationStamp('/* begin file include/simdutf.h */\n', '9.0.0')).toThrow(/simdutf 9\.0\.0's amalgamation has no/);
  });

  it('Node 24 --without-sqlite: the DOMStorage agent is compiled only with sqlite; a second configure changes nothing', () => {
    const tree = tempDir('tree-fixes-sqlite');
    mkdirSync(join(tree, 'src', 'inspector'), { recursive: true });
    const edits = editsFor('24.21.0', 'full').filter((e) => e.file.startsWith('src/inspector'));
    // The lines of 24.21's files the edits change, in their order there.
    const agent = `${edits
      .filter((e) => e.file === 'src/inspector_agent.cc')
      .map((e) => e.from)
      .join('  // other code\n')}    }\n`;
    writeFileSync(join(tree, 'src', 'inspector_agent.cc'), agent);
    writeFileSync(join(tree, 'src', 'inspector', 'dom_storage_agent.cc'), '#include "dom_storage_agent.h"\nnamespace node {\n}  // namespace inspector\n}  // namespace node\n');
    applyEdits(tree, edits);
    const once = readFileSync(join(tree, 'src', 'inspector_agent.cc'), 'utf8');
    expect(once.match(/^#if HAVE_SQLITE /gm)).toHaveLength(5);
    expect(once.match(/^#endif {2}\/\/ HAVE_SQLITE$/gm)).toHaveLength(5);
    // The else-if branch closes inside the #if: without sqlite the if before it keeps its own closing brace.
    expect(once).toContain('#if HAVE_SQLITE  // broker: --without-sqlite (tree-fixes.ts)\n    } else if (dom_storage_agent_');
    expect(once).toContain('      dom_storage_agent_->emitNotification(context, event_name, params);\n#endif  // HAVE_SQLITE\n');
    expect(readFileSync(join(tree, 'src', 'inspector', 'dom_storage_agent.cc'), 'utf8')).toMatch(/^#if HAVE_SQLITE [^\n]*\n#include "dom_storage_agent.h"\n[\s\S]*\n#endif {2}\/\/ HAVE_SQLITE\n$/);
    applyEdits(tree, edits);
    expect(readFileSync(join(tree, 'src', 'inspector_agent.cc'), 'utf8')).toBe(once);
  });

  it('the tree is synced by content: an unchanged file keeps its mtime, a changed one is rewritten, a stray one goes', () => {
    const staged = fakeUv();
    const tree = fakeUv();
    writeFileSync(join(tree, 'stray.h'), 'x');
    backportIntoUv(staged, 'uv_tcp_keepalive_ex');
    const tcpBefore = statSync(join(tree, 'src', 'unix', 'tcp.c')).mtimeMs;
    syncByContent(staged, tree);
    expect(readFileSync(join(tree, 'include', 'uv.h'), 'utf8')).toBe(readFileSync(join(staged, 'include', 'uv.h'), 'utf8'));
    expect(statSync(join(tree, 'src', 'unix', 'tcp.c')).mtimeMs).toBeGreaterThan(tcpBefore);
    expect(existsSync(join(tree, 'stray.h'))).toBe(false);
    const old = new Date('2026-01-01T00:00:00Z');
    utimesSync(join(tree, 'include', 'uv.h'), old, old);
    syncByContent(staged, tree);
    expect(statSync(join(tree, 'include', 'uv.h')).mtimeMs).toBe(old.getTime());
  });

  it('a libuv that already has the function fails the backport, naming what to drop', () => {
    const uv = fakeUv();
    backportIntoUv(uv, 'uv_tcp_keepalive_ex');
    expect(() => backportIntoUv(uv, 'uv_tcp_keepalive_ex')).toThrow(/already has uv_tcp_keepalive_ex: drop backport uv_tcp_keepalive_ex/);
  });

  it('--intl small keeps the break-iterator rules that Node’s small-icu trims (Intl.Segmenter crashes without them)', () => {
    // Node 22.22.2 gets the start-up edits whose texts it shares with 24.21 (and its own heap-page one), not 24's build fixes.
    expect([...new Set(editsFor('22.22.2', 'full').map((e) => e.file))]).toEqual(['deps/v8/third_party/rapidhash-v8/secret.h', 'lib/net.js', 'src/node_sea.cc', 'src/node.cc', 'deps/v8/src/heap/memory-allocator.cc']);
    expect(editsFor('22.22.2', 'none')).toEqual(editsFor('22.22.2', 'full'));
    expect([...new Set(editsFor('24.21.0', 'full').map((e) => e.file))]).toEqual([
      'configure.py',
      'deps/v8/third_party/highway/src/hwy/ops/set_macros-inl.h',
      'src/inspector_agent.cc',
      'src/inspector/dom_storage_agent.cc',
      'deps/v8/third_party/rapidhash-v8/secret.h',
      'lib/net.js',
      'src/node_sea.cc',
      'src/node.cc',
      'deps/v8/src/heap/memory-allocator.cc',
    ]);
    const tree = tempDir('tree-fixes-icu');
    mkdirSync(join(tree, 'tools', 'icu'), { recursive: true });
    // The lines of Node 22's tools/icu/icu_small.json the edits change.
    writeFileSync(join(tree, 'tools', 'icu', 'icu_small.json'), '    "brkitr": "none",\n    "brkfiles": "none",\n    "brkdict": "none",\n    "genderList.res",\n    "brkitr/root.res",\n    "unames.icu"\n');
    applyEdits(
      tree,
      editsFor('22.22.2', 'small').filter((e) => e.file.startsWith('tools/icu/')),
    );
    expect(readFileSync(join(tree, 'tools', 'icu', 'icu_small.json'), 'utf8')).toBe('    "brkitr": "locales",\n    "brkfiles": "leavealone",\n    "brkdict": "leavealone",\n    "genderList.res",\n    "unames.icu"\n');
  });

  it("Node 24: a SEA's ASCII main script becomes an external string over the blob; any other is copied as before", () => {
    // The lines of 24.21's node_sea.cc the edits change, in their order there.
    const once = editedTwice('24.21.0', 'src/node_sea.cc', 2, (edits) => `#include "simdjson.h"\n#include "util-inl.h"\n// ...\n${edits[1]?.from}  return info.run_cjs->Call(\n`);
    expect(once).toContain('#include "simdjson.h"\n#include "simdutf.h"');
    expect(once).toMatch(
      /if \(!code\.empty\(\) && simdutf::validate_ascii\(code\.data\(\), code\.size\(\)\)\) \{[\s\S]*String::NewExternalOneByte\(env->isolate\(\), resource\)[\s\S]*\} else \{\n {4}main_script = ToV8Value\(env->context\(\), code\)/,
    );
  });

  it("Node 24: V8's entropy comes from libuv (the kernel), and nothing asks OpenSSL's DRBG at start", () => {
    // 24.21's lines around the edit, in their order there.
    const once = editedTwice('24.21.0', 'src/node.cc', 1, (edits) => `    if (auto fips_error = crypto::ProcessFipsOptions()) {\n    }\n\n${edits[0]?.from}#endif  // !defined(OPENSSL_IS_BORINGSSL)\n`);
    expect(once).not.toContain('CSPRNG');
    expect(once).toMatch(/V8::SetEntropySource\(\[\]\(unsigned char\* buffer, size_t length\) \{[\s\S]*CHECK_EQ\(uv_random\(nullptr, nullptr, buffer, length, 0, nullptr\), 0\);\n {6}return true;\n {4}\}\);\n#endif/);
  });

  it('Node 24: each old-generation page V8 takes for its heap is filled in one madvise, not faulted in 4 KiB at a time', () => {
    // 24.21's lines of the file around the edits, in their order there.
    const once = editedTwice(
      '24.21.0',
      'deps/v8/src/heap/memory-allocator.cc',
      2,
      (edits) => `#include "src/heap/memory-allocator.h"\n\n${edits[0]?.from}\nAddress MemoryAllocator::AllocateAlignedMemory(\n${edits[1]?.from}\n  return base;\n}\n`,
    );
    expect(once).toMatch(/^#include "src\/heap\/memory-allocator.h"\n\n#include <sys\/mman.h>[^\n]*\n\n#include <cinttypes>/);
    expect(once).toMatch(
      /Address base = reservation.address\(\);\n\n#if V8_OS_LINUX\n[\s\S]*!IsAnyNewSpace\(space\) && !large\) \{[\s\S]*madvise\(reinterpret_cast<void\*>\(base\), chunk_size, MADV_POPULATE_WRITE\);[\s\S]*#endif\n\n {2}if \(executable == EXECUTABLE\)/,
    );
  });

  it("Node 22: V8 12.4's old-generation pages are filled once made read-write (they are reserved inaccessible first)", () => {
    // 22.22.2's lines of the file around the edits, in their order there.
    const once = editedTwice(
      '22.22.2',
      'deps/v8/src/heap/memory-allocator.cc',
      2,
      (edits) =>
        `// Copyright\n\n${edits[0]?.from}\n#include "src/base/address-region.h"\n// ...\n    if (reservation.SetPermissions(base, commit_size,\n                                   PageAllocator::kReadWrite)) {\n${edits[1]?.from}      return HandleAllocationFailure(NOT_EXECUTABLE);\n    }\n`,
    );
    expect(once).toContain('#include "src/heap/memory-allocator.h"\n\n#include <sys/mman.h>');
    expect(once).toMatch(
      /UpdateAllocatedSpaceLimits\(base, base \+ commit_size, NOT_EXECUTABLE\);\n#if V8_OS_LINUX\n[\s\S]*if \(space != NEW_SPACE && !large\) \{[\s\S]*madvise\(reinterpret_cast<void\*>\(base\), commit_size, MADV_POPULATE_WRITE\);[\s\S]*#endif\n {4}\} else \{\n {6}return HandleAllocationFailure/,
    );
  });

  it('an edit is made once, and a missing text fails with its reason', () => {
    const tree = tempDir('tree-fixes-edit');
    writeFileSync(join(tree, 'configure.py'), "  args = ['-E', '-dM',\n");
    const edit = { file: 'configure.py', from: "args = ['-E', '-dM',", to: "args = ['-x', 'c', '-E', '-dM',", why: 'stdin is C' };
    expect(applyEdits(tree, [edit])).toEqual(['configure.py edited: stdin is C']);
    applyEdits(tree, [edit]);
    expect(readFileSync(join(tree, 'configure.py'), 'utf8')).toBe("  args = ['-x', 'c', '-E', '-dM',\n");
    const other = tempDir('tree-fixes-edit-missing');
    writeFileSync(join(other, 'configure.py'), 'something else\n');
    expect(() => applyEdits(other, [edit])).toThrow(/configure\.py: "args = \['-E', '-dM'," is not there \(tree-fixes\.ts: stdin is C\)/);
  });

  it('a kept tree is edited from its own text each time: an edit dropped or changed since is undone, an unchanged file not rewritten', () => {
    const tree = tempDir('tree-fixes-originals');
    mkdirSync(join(tree, 'src'));
    writeFileSync(join(tree, 'a.c'), 'int a = 1;\n');
    writeFileSync(join(tree, 'src', 'b.c'), 'int b = 1;\n');
    const a2 = { file: 'a.c', from: 'a = 1', to: 'a = 2', why: 'a' };
    const b2 = { file: 'src/b.c', from: 'b = 1', to: 'b = 2', why: 'b' };
    applyEdits(tree, [a2, b2]);
    expect(readFileSync(join(tree, 'src', 'b.c'), 'utf8')).toBe('int b = 2;\n');
    // b's edit dropped, a's changed: b.c is the tree's own again, a.c edited from its own text, not from "a = 2".
    const a3 = { file: 'a.c', from: 'a = 1', to: 'a = 3', why: 'a, again' };
    applyEdits(tree, [a3]);
    expect(readFileSync(join(tree, 'src', 'b.c'), 'utf8')).toBe('int b = 1;\n');
    expect(readFileSync(join(tree, 'a.c'), 'utf8')).toBe('int a = 3;\n');
    expect(existsSync(join(tree, EDIT_ORIGINALS, 'src', 'b.c'))).toBe(false);
    utimesSync(join(tree, 'a.c'), 1000, 1000);
    applyEdits(tree, [a3]);
    expect(statSync(join(tree, 'a.c')).mtimeMs).toBe(1_000_000);
  });

  itWhen(
    prerequisite('the pinned Zig (fetched from npm)', 'skip' in zig ? zig.skip : ''),
    "V8's hash-secret multiply: the 128-bit one the edit puts in gives what the bit-by-bit one gave, on 2 million operands",
    () => {
      const edit = editsFor('24.21.0', 'full').find((e) => e.file.endsWith('secret.h'));
      if (!edit || !('path' in zig)) throw new Error('no secret.h edit for Node 24');
      const dir = tempDir('tree-fixes-mulmod');
      // Both functions side by side, the edited text as configure leaves it; operands below the modulus, as the
      // Miller-Rabin test passes them, moduli odd, half of them above 2^63 (where a + a overflows).
      writeFileSync(
        join(dir, 'check.cc'),
        `#include <cstdio>
#include <cstdint>
namespace before {
${edit.from}}
namespace after {
${edit.to}}
int main() {
  uint64_t s = 88172645463325252ull, differ = 0;
  auto next = [&s] { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  for (int i = 0; i < 2000000; i++) {
    uint64_t m = next() | 1;
    if (i & 1) m |= 1ull << 63; else m >>= next() % 62;
    if (m < 3) continue;
    uint64_t a = i % 7 == 0 ? m - 1 : next() % m, b = i % 11 == 0 ? m - 1 : next() % m;
    if (before::mul_mod(a, b, m) != after::mul_mod(a, b, m)) differ++;
  }
  std::printf("%llu\\n", static_cast<unsigned long long>(differ));
}
`,
      );
      execFileSync(zig.path, ['c++', '-O2', '-o', join(dir, 'check'), join(dir, 'check.cc')], { stdio: 'pipe' });
      expect(edit.to).toContain('unsigned __int128');
      expect(execFileSync(join(dir, 'check'), { encoding: 'utf8' }).trim()).toBe('0');
    },
    { timeout: 120_000 },
  );
});

// The symbol reader (shared/elf/symbols.ts) against nm, and what it tells about native addons
// (shared/elf/node-addon.ts) built here with gcc in each way Node addons register themselves.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNodeAddon } from '../../shared/elf/file.ts';
import { nodeAddonFacts } from '../../shared/elf/node-addon.ts';
import { ElfError } from '../../shared/elf/parse.ts';
import { bytesSource } from '../../shared/elf/source.ts';
import { readSymbols, SHT_DYNSYM, SHT_SYMTAB } from '../../shared/elf/symbols.ts';
import { tempDir } from '../fixtures/context.ts';

const dir = tempDir('addon-elf');

/** A shared object built by gcc from C source; `libs` go after the source, where the linker wants them. */
function sharedObject(name: string, source: string, libs: string[] = []): string {
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, source);
  execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-o', out, src, ...libs], { stdio: 'pipe' });
  return out;
}

/** nm's view: [name, defined] per symbol, sorted (nm prints one line per symbol: value, letter, name). */
function nmSymbols(path: string, dynamic: boolean): string[] {
  const out = execFileSync('nm', [...(dynamic ? ['-D'] : []), '--no-sort', path], { encoding: 'utf8' });
  return (
    out
      .split('\n')
      .map((l) => /^\s*\S*\s+(\S)\s+(\S+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      // nm -D adds the version to each name (.dynsym keeps it apart); .symtab's names carry it already.
      .map((m) => `${dynamic ? (m[2] ?? '').replace(/@.*$/, '') : m[2]} ${m[1] === 'U' || m[1] === 'w' || m[1] === 'v' ? 'undefined' : 'defined'}`)
      .sort()
  );
}

function ours(path: string, type: typeof SHT_DYNSYM | typeof SHT_SYMTAB): string[] {
  return (
    readSymbols(bytesSource(readFileSync(path)), type)
      // nm shows neither section nor file symbols, nor (with -D) the version names glibc defines as symbols.
      .filter((s) => s.name !== '' && s.type !== 'section' && s.type !== 'file' && !s.name.startsWith('GLIBC_'))
      .map((s) => `${s.name} ${s.defined ? 'defined' : 'undefined'}`)
      .sort()
  );
}

// node::node_module's layout (src/node.h): nm_version first.
const CTOR_ADDON = `struct node_module { int v; unsigned flags; void *dso; const char *file; void *reg; void *ctx; const char *name; void *priv; void *link; };
extern void node_module_register(void *);
static void init(void) {}
static struct node_module _module = { 115, 0, 0, __FILE__, (void *)init, 0, "ctor", 0, 0 };
__attribute__((constructor)) static void _register_ctor(void) { node_module_register(&_module); }
`;

describe('dynamic and static symbols agree with nm', () => {
  it('on glibc (thousands of versioned symbols) and on a gcc-built shared object', () => {
    const so = sharedObject('nm-check', 'extern int puts(const char *); static volatile int hidden = 3; int shown(void) { return puts("x") + hidden; }\n');
    expect(ours('/lib/x86_64-linux-gnu/libc.so.6', SHT_DYNSYM)).toEqual(nmSymbols('/lib/x86_64-linux-gnu/libc.so.6', true).filter((s) => !s.startsWith('GLIBC_')));
    expect(ours(so, SHT_DYNSYM)).toEqual(nmSymbols(so, true));
    expect(ours(so, SHT_SYMTAB)).toEqual(nmSymbols(so, false));
    expect(ours(so, SHT_SYMTAB)).toContain('hidden defined');
    expect(ours(so, SHT_SYMTAB)).toContain('puts@GLIBC_2.2.5 undefined'); // ld names it with its version in .symtab
    expect(readNodeAddon(so).libc).toBe('glibc');
  });

  it('a stripped file has no static symbols, and its dynamic ones are unchanged', () => {
    const so = sharedObject('strip-check', 'static int hidden = 3; int shown(void) { return hidden; }\n');
    const stripped = `${so}.stripped`;
    execFileSync('strip', ['-o', stripped, so]);
    expect(readSymbols(bytesSource(readFileSync(stripped)), SHT_SYMTAB)).toEqual([]);
    expect(ours(stripped, SHT_DYNSYM)).toEqual(ours(so, SHT_DYNSYM));
  });
});

describe('a native addon: how it registers, and so which runtimes load it', () => {
  it('Node-API (napi_register_module_v1): ABI-stable', () => {
    const so = sharedObject('napi', 'void *napi_register_module_v1(void *env, void *exports) { return exports; }\n');
    expect(readNodeAddon(so)).toMatchObject({ machine: 'Advanced Micro Devices X86-64', registration: { kind: 'node-api' }, originLibraries: [] });
  });

  it('old Node-API headers (a constructor calling napi_module_register): ABI-stable', () => {
    const so = sharedObject('napi-old', 'extern void napi_module_register(void *); static char m[64];\n__attribute__((constructor)) static void reg(void) { napi_module_register(m); }\n');
    expect(readNodeAddon(so).registration).toEqual({ kind: 'node-api' });
  });

  it('NODE_MODULE_INIT (node_register_module_v<N>): that NODE_MODULE_VERSION, from the symbol', () => {
    const so = sharedObject('v999', 'void node_register_module_v999(void *e, void *m, void *c) {}\n');
    expect(readNodeAddon(so).registration).toEqual({ kind: 'module-version', version: 999, from: 'symbol' });
  });

  it('NODE_MODULE or NAN (a constructor and a static node_module): the version from the struct while not stripped', () => {
    const so = sharedObject('ctor', CTOR_ADDON);
    expect(readNodeAddon(so).registration).toEqual({ kind: 'module-version', version: 115, from: 'struct' });
    const stripped = `${so}.stripped`;
    execFileSync('strip', ['-o', stripped, so]);
    expect(readNodeAddon(stripped).registration).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/constructor .* stripped/) });
  });

  it('a shared object that is no addon says so', () => {
    const so = sharedObject('plain', 'int f(void) { return 1; }\n');
    expect(readNodeAddon(so).registration).toMatchObject({ kind: 'none', why: expect.stringMatching(/not a Node addon/) });
  });

  it('names the libraries it finds next to itself through $ORIGIN', () => {
    sharedObject('libneighbour.so', 'int neighbour(void) { return 1; }\n');
    const so = sharedObject('origin', 'extern int neighbour(void);\nvoid *napi_register_module_v1(void *e, void *x) { return neighbour() ? x : 0; }\n', [`-L${dir}`, '-lneighbour', '-Wl,-rpath,$ORIGIN/../lib']);
    expect(readNodeAddon(so).originLibraries).toEqual(['libneighbour.so']);
    expect(readNodeAddon(so).originPaths).toEqual(['$ORIGIN/../lib']);
  });

  it('reads the run path entries relative to itself, in order, and only those', () => {
    sharedObject('libneighbour.so', 'int neighbour(void) { return 1; }\n');
    const so = sharedObject('origins', 'extern int neighbour(void);\nint f(void) { return neighbour(); }\n', [`-L${dir}`, '-lneighbour', '-Wl,-rpath,/usr/local/lib:$ORIGIN:${ORIGIN}/../x:$ORIGINAL/y']);
    expect(readNodeAddon(so).originPaths).toEqual(['$ORIGIN', '${ORIGIN}/../x']);
  });

  it('another machine is reported as such (e_machine patched to AArch64)', () => {
    const so = sharedObject('arm', 'void *napi_register_module_v1(void *env, void *exports) { return exports; }\n');
    const bytes = readFileSync(so);
    bytes.writeUInt16LE(183, 18);
    const arm = `${so}.arm64`;
    writeFileSync(arm, bytes);
    expect(readNodeAddon(arm).machine).toBe('AArch64');
  });

  it('a file that is not ELF, or cut short, is an ElfError naming why', () => {
    const so = sharedObject('cut', 'void *napi_register_module_v1(void *env, void *exports) { return exports; }\n');
    expect(() => nodeAddonFacts(bytesSource(Buffer.from('\xcf\xfa\xed\xfe Mach-O', 'latin1')))).toThrow(/not an ELF file/);
    const cut = `${so}.cut`;
    copyFileSync(so, cut);
    writeFileSync(cut, readFileSync(so).subarray(0, 4096));
    expect(() => readNodeAddon(cut)).toThrow(ElfError);
  });
});

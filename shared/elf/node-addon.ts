/*
 * What a Node native addon (.node, an ELF shared object) needs from the runtime that loads it, read from
 * its symbols without loading it. Node accepts an addon only if it registers with the runtime's ABI:
 *  - Node-API: it exports napi_register_module_v1 (or, built with old headers, calls napi_module_register
 *    from a constructor). The ABI is stable: any Node with that Node-API version loads it.
 *  - the V8/Node C++ ABI, tied to one NODE_MODULE_VERSION (process.versions.modules): it exports
 *    node_register_module_v<N> (NODE_MODULE_INIT), or (NODE_MODULE, NAN) calls node_module_register from a
 *    constructor with a static `node::node_module _module` whose first field is N. That struct's value is in
 *    .symtab only while the file is not stripped; then the version cannot be read, only tried (a load).
 */
import { parseElf } from './parse.ts';
import type { ElfSource } from './source.ts';
import { parseSectionHeaders, readSymbols, SHT_DYNSYM, SHT_SYMTAB, symbolBytes } from './symbols.ts';

export type AddonRegistration =
  | { kind: 'node-api' }
  | { kind: 'module-version'; version: number; from: 'symbol' | 'struct' }
  /** Registers with a NODE_MODULE_VERSION this file does not show (stripped): only loading it tells. */
  | { kind: 'unknown'; why: string }
  /** Registers in none of the ways Node looks for: Node refuses it ("did not self-register"). */
  | { kind: 'none'; why: string };

export interface AddonFacts {
  machine: string;
  machineCode: number;
  /** The C library its DT_NEEDED names: an addon built on Alpine needs musl's loader, not glibc's. */
  libc: 'glibc' | 'musl' | 'unknown';
  registration: AddonRegistration;
  /** Shared libraries it finds next to itself ($ORIGIN in its run path): they are not there once it is copied out alone. */
  originLibraries: string[];
  /** The run path's entries relative to the file itself ('$ORIGIN/../lib'), in the loader's order. */
  originPaths: string[];
}

const VERSIONED = /^node_register_module_v(\d+)$/;
// node::node_module _module at file scope (C, extern "C") or inside a C++ namespace (mangled ..L7_moduleE).
const MODULE_STRUCT = /^(?:_module|_ZL7_module|_ZN.*L7_moduleE)$/;

function registration(src: ElfSource): AddonRegistration {
  const sections = parseSectionHeaders(src);
  const dynamic = readSymbols(src, SHT_DYNSYM, sections);
  const exported = dynamic.filter((s) => s.defined).map((s) => s.name);
  const imported = new Set(dynamic.filter((s) => !s.defined).map((s) => s.name));
  if (exported.includes('napi_register_module_v1') || imported.has('napi_module_register')) return { kind: 'node-api' };
  const symbol = exported.map((n) => VERSIONED.exec(n)?.[1]).find((v) => v !== undefined);
  if (symbol !== undefined) return { kind: 'module-version', version: Number(symbol), from: 'symbol' };
  if (!imported.has('node_module_register')) return { kind: 'none', why: 'it exports neither napi_register_module_v1 nor node_register_module_v<N> and does not call node_module_register: not a Node addon' };
  const structs = readSymbols(src, SHT_SYMTAB, sections).filter((s) => s.defined && s.type === 'object' && s.size >= 8 && MODULE_STRUCT.test(s.name));
  const versions = new Set(structs.map((s) => Buffer.from(symbolBytes(src, sections, s, 4)).readUInt32LE(0)));
  const [version] = versions;
  if (versions.size === 1 && version !== undefined) return { kind: 'module-version', version, from: 'struct' };
  return { kind: 'unknown', why: 'it registers itself from a constructor (NODE_MODULE or NAN) and its symbol table is stripped, so its NODE_MODULE_VERSION cannot be read' };
}

/** An addon's machine, C library, registration and $ORIGIN libraries; ElfError when it is not a 64-bit little-endian ELF. */
export function nodeAddonFacts(src: ElfSource): AddonFacts {
  const info = parseElf(src);
  const libc = info.needed.includes('libc.so.6') ? 'glibc' : info.needed.some((n) => n === 'libc.so' || n.startsWith('libc.musl-')) ? 'musl' : 'unknown';
  // The loader reads DT_RUNPATH when present, else DT_RPATH.
  const originPaths = (info.runpath ?? info.rpath ?? '').split(':').filter((p) => /^\$(?:ORIGIN|\{ORIGIN\})(?:\/|$)/.test(p));
  const origin = originPaths.length > 0;
  const system = /^(?:libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux.*|libc\.musl-.*)\.so/;
  return {
    machine: info.header.machine,
    machineCode: info.header.machineCode,
    libc,
    registration: registration(src),
    originLibraries: origin ? info.needed.filter((n) => !system.test(n)) : [],
    originPaths,
  };
}

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeLineOf } from '../pin.ts';
import { runShell } from './command.ts';
import { fetched, type IntlMode, type StaticBuildContext } from './context.ts';

/**
 * What a Node version's Debian source lacks that configure cannot take as a --shared-* library, put
 * into the unpacked tree before configure. Node 22 needs nothing here. For 24 Debian also removed
 * deps/uv, deps/histogram, deps/googletest, V8's third_party/{zlib,simdutf} and the inspector
 * generators' jinja2/markupsafe, and builds against its own system packages; the mirror serves no
 * libuv >= 1.52 (24 calls `uv_tcp_keepalive_ex` and reads `uv_statfs_t.f_frsize`, new in 1.52) and none of those as sources we could
 * build as static libraries. So the tree gets them back the way Node's own tarball carries them:
 */
export interface TreeFixes {
  /** Directories copied from another pinned source (a sources.ts name): Node 22's repacked tree still has them. */
  donor: { source: string; paths: string[] };
  /**
   * V8 compiles simdutf itself in 24 and Node links V8's copy: the amalgamation of the pinned simdutf
   * source goes to deps/v8/third_party/simdutf, and configure gets no --shared-simdutf (that would link
   * two copies).
   */
  v8Simdutf: boolean;
  /** libuv functions this Node calls that the donated libuv lacks, backported into it (UV_BACKPORTS). */
  uvBackports: (keyof typeof UV_BACKPORTS)[];
}

/** Text replaced in a tree's own file, with why; a `from` that is not there (nor its `to`) fails the stage. */
export interface TreeEdit {
  file: string;
  from: string;
  to: string;
  why: string;
}

const FIXES: Record<string, TreeFixes> = {
  '24': {
    donor: {
      source: 'node-22',
      paths: [
        'deps/uv',
        'deps/histogram',
        'deps/googletest',
        'deps/v8/third_party/zlib',
        // The two inspector protocol generators (V8's and Node's) each import jinja2 from their own dir.
        'deps/v8/third_party/jinja2',
        'deps/v8/third_party/markupsafe',
        'tools/inspector_protocol/jinja2',
        'tools/inspector_protocol/markupsafe',
      ],
    },
    v8Simdutf: true,
    uvBackports: ['uv_tcp_keepalive_ex', 'uv_statfs_f_frsize'],
  },
};

/**
 * What our compiler (Zig's clang 19) needs changed in a Node line's own files, whichever source the tree comes from
 * (Debian's or Node's release tarball).
 */
const TOOLCHAIN_EDITS: Record<string, TreeEdit[]> = {
  '24': [
    {
      file: 'configure.py',
      from: "args = ['-E', '-dM',",
      to: "args = ['-x', 'c', '-E', '-dM',",
      why: "configure asks CC for OpenSSL's version macros from stdin; Zig's cc takes `-` without `-x c` for another language and searches the host's /usr/include, so the version came out 0",
    },
    {
      file: 'deps/v8/third_party/highway/src/hwy/ops/set_macros-inl.h',
      from: 'HWY_TARGET_STR_AVX2 ",avx512f,avx512cd,avx512vl,avx512dq,avx512bw"',
      to: 'HWY_TARGET_STR_AVX2 ",avx512f,avx512cd,avx512vl,avx512dq,avx512bw,evex512"',
      why: "clang 18+ wants 'evex512' among a function's target features for 512-bit operands, and highway's clang-only inline asm (vcvtneps2bf16) has them: its AVX-512 targets did not compile",
    },
  ],
};

/**
 * V8's per-process hash secrets (rapidhash: the hash-flooding fix in 22.22 and 24.21) are searched for at every isolate's start
 * with a Miller-Rabin test whose modular multiply goes bit by bit, two 64-bit divisions a bit: ~10% of the static
 * runtime's `node -e 0` (perf, docs/benchmarks.md, "V8's hash secrets"), again in every worker thread. One 128-bit
 * product and remainder gives the same value (tree-fixes.test.ts compares the two on 2 million operands), so the same
 * secrets come from the same seed.
 */
const MUL_MOD = `static inline unsigned long long mul_mod(unsigned long long a,
                                         unsigned long long b,
                                         unsigned long long m) {
  unsigned long long r = 0;
  while (b) {
    if (b & 1) {
      unsigned long long r2 = r + a;
      if (r2 < r) r2 -= m;
      r = r2 % m;
    }
    b >>= 1;
    if (b) {
      unsigned long long a2 = a + a;
      if (a2 < a) a2 -= m;
      a = a2 % m;
    }
  }
  return r;
}
`;
const HASH_SECRET_EDIT: TreeEdit = {
  file: 'deps/v8/third_party/rapidhash-v8/secret.h',
  from: MUL_MOD,
  to: `#if defined(__SIZEOF_INT128__)  // broker: one 128-bit multiply (build/runtime/static/tree-fixes.ts)
static inline unsigned long long mul_mod(unsigned long long a,
                                         unsigned long long b,
                                         unsigned long long m) {
  return static_cast<unsigned long long>(static_cast<unsigned __int128>(a) * b % m);
}
#else
${MUL_MOD}#endif
`,
  why: "V8's hash-secret search multiplies modulo n bit by bit at every isolate's start; one 128-bit multiply gives the same value",
};

/**
 * A server listening on an IPv4 host (`listen(port, '127.0.0.1')`) goes through dns.lookup, and net.js then asks
 * whether the address is IPv6 link-local with isIPv6, whose large regular expression V8 compiles on first use: 2.4 ms
 * of a 30 ms `broker record` start (docs/benchmarks.md, "Start-up: an IPv4 listen"). An address without a colon is
 * no IPv6 address: that answer comes first, the same one.
 */
const IPV4_LISTEN: TreeEdit[] = [
  {
    file: 'lib/net.js',
    from: '  ObjectSetPrototypeOf,\n  Symbol,\n',
    to: '  ObjectSetPrototypeOf,\n  StringPrototypeIncludes,\n  Symbol,\n',
    why: 'net.js takes StringPrototypeIncludes from primordials (for the edit below)',
  },
  {
    file: 'lib/net.js',
    from: 'function isIpv6LinkLocal(ip) {\n  if (!isIPv6(ip)) { return false; }\n',
    to: "function isIpv6LinkLocal(ip) {\n  // broker (tree-fixes.ts): no colon, no IPv6 address; an IPv4 listen never compiles isIPv6's regular expression.\n  if (!StringPrototypeIncludes(ip, ':') || !isIPv6(ip)) { return false; }\n",
    why: "an IPv4 listen with a host asks isIPv6, whose regular expression V8 compiles on first use (2.4 ms); an address without ':' is no IPv6 address",
  },
];

/**
 * Every listen goes through listenInCluster, which loads node:cluster (and with it child_process and dgram: 1.8 ms)
 * to ask whether this process is a cluster worker. A worker has an IPC channel and, until its bootstrap loads cluster
 * and deletes it, NODE_UNIQUE_ID: a process with neither listens as a primary does, and the question needs no
 * module. With either, the code is Node's (checking the variable alone took every worker for a primary).
 */
const LISTEN_CLUSTER: TreeEdit[] = [
  {
    file: 'lib/net.js',
    from: '  ObjectDefineProperty,\n  ObjectSetPrototypeOf,\n',
    to: '  ObjectDefineProperty,\n  ObjectPrototypeHasOwnProperty,\n  ObjectSetPrototypeOf,\n',
    why: 'net.js takes ObjectPrototypeHasOwnProperty from primordials (for the edit below)',
  },
  {
    file: 'lib/net.js',
    from: "  if (cluster === undefined) cluster = require('cluster');\n\n  if (cluster.isPrimary || exclusive) {\n",
    to: "  // broker (tree-fixes.ts): no IPC channel and no NODE_UNIQUE_ID: no cluster worker, so no need to load cluster.\n  const primary = cluster === undefined && process.channel === undefined && !ObjectPrototypeHasOwnProperty(process.env, 'NODE_UNIQUE_ID');\n  if (!primary && cluster === undefined) cluster = require('cluster');\n\n  if (primary || cluster.isPrimary || exclusive) {\n",
    why: 'a listen loaded node:cluster (with child_process and dgram, 1.8 ms) to learn what NODE_UNIQUE_ID already says: this process is no cluster worker',
  },
];

/**
 * A server listening on an IP address (`listen(port, '127.0.0.1')`) still asks dns.lookup, which loads node:dns
 * (creating its c-ares channel) and answers a literal on the next tick without looking anything up: broker `record`'s
 * start to its first connection took 96.6 ms against 89.3 without it on a slow VM (docs/benchmarks.md, "Start-up: an
 * IPv4 listen"). A literal is answered here the same way, on the same tick, without
 * the module, as Node's own dgram already does (lib/internal/dgram.js) and net.connect skips the lookup for one.
 */
const LISTEN_LITERAL: TreeEdit[] = [
  {
    file: 'lib/net.js',
    from: "  if (dns === undefined) dns = require('dns');\n  const listeningId = self._listeningId;\n\n  dns.lookup(address, { all: true }, (err, addresses) => {\n",
    to: "  const listeningId = self._listeningId;\n  // broker (tree-fixes.ts): an IP address is its own answer, on the next tick as dns.lookup gives it, without loading dns.\n  const literal = isIP(address);\n  if (literal === 0 && dns === undefined) dns = require('dns');\n  const lookup = literal !== 0 ? (host, options, callback) => process.nextTick(callback, null, [{ address: host, family: literal }]) : dns.lookup;\n\n  lookup(address, { all: true }, (err, addresses) => {\n",
    why: 'a listen on an IP address loaded node:dns for a lookup that answers a literal with itself on the next tick',
  },
];

/**
 * A SEA's main script is copied into V8's heap at every start: Node decodes the blob's bytes as UTF-8 into a new string
 * (its own TODO says it should be an external string). broker's bundle is ~1 MiB of ASCII (esbuild escapes the rest),
 * so that was a 1 MiB large-object page written page by page — 275 of the artifact's page faults (docs/benchmarks.md,
 * "Page faults") — and a decode. An ASCII script is now an external string over the blob's bytes, which stay mapped
 * from the executable for the process's life (Node's built-in modules are external strings the same way); any other
 * is copied as before. V8 accepts the code cache either way: its check hashes the source's length, not its storage.
 */
const SEA_MAIN_EXTERNAL: TreeEdit[] = [
  {
    file: 'src/node_sea.cc',
    from: '#include "simdjson.h"\n',
    to: '#include "simdjson.h"\n#include "simdutf.h"  // broker: ASCII check of the main script (tree-fixes.ts)\n',
    why: 'node_sea.cc takes simdutf for the edit below (node_base already compiles against it: encoding_binding.cc)',
  },
  {
    file: 'src/node_sea.cc',
    from: '  Local<Value> main_script =\n      ToV8Value(env->context(), sea.main_code_or_snapshot).ToLocalChecked();\n',
    to: `  // broker (tree-fixes.ts): an ASCII script is an external string over the blob's bytes, mapped for the process's
  // life; the copy into V8's heap was ~1 MiB written page by page at every start of broker's binary.
  Local<Value> main_script;
  std::string_view code = sea.main_code_or_snapshot;
  if (!code.empty() && simdutf::validate_ascii(code.data(), code.size())) {
    static StaticExternalOneByteResource* resource = new StaticExternalOneByteResource(
        reinterpret_cast<const uint8_t*>(code.data()), code.size(), nullptr);
    main_script = String::NewExternalOneByte(env->isolate(), resource).ToLocalChecked();
  } else {
    main_script = ToV8Value(env->context(), code).ToLocalChecked();
  }
`,
    why: "a SEA's main script was decoded and copied into V8's heap at every start (~1 MiB for broker's bundle); an ASCII one is now an external string over the mapped blob",
  },
];

/**
 * At every start Node asked OpenSSL's DRBG for nothing (its check that the CSPRNG works) and gave V8 its entropy from
 * it: the DRBG's first fetch builds OpenSSL's table of every algorithm, ~130 page faults and ~3% of the static runtime's
 * `node -e 0` (docs/benchmarks.md, "The young generation at V8's size", its last list), for a process that may never use crypto. V8's
 * entropy (hash seeds, Math.random's seed) now comes from the kernel through libuv (getrandom, /dev/urandom before
 * Linux 3.17), the source OpenSSL seeds its DRBG from; still aborting rather than letting V8 fall back to weak
 * entropy. crypto fetches the DRBG on its first use, as before.
 */
const ENTROPY: TreeEdit[] = [
  {
    file: 'src/node.cc',
    from: `    // Ensure CSPRNG is properly seeded.
    CHECK(ncrypto::CSPRNG(nullptr, 0));

    V8::SetEntropySource([](unsigned char* buffer, size_t length) {
      // V8 falls back to very weak entropy when this function fails
      // and /dev/urandom isn't available. That wouldn't be so bad if
      // the entropy was only used for Math.random() but it's also used for
      // hash table and address space layout randomization. Better to abort.
      CHECK(ncrypto::CSPRNG(buffer, length));
      return true;
    });
`,
    to: `    // broker (tree-fixes.ts): V8's entropy from the kernel (libuv: getrandom), not OpenSSL's DRBG, whose first
    // fetch at start built OpenSSL's table of every algorithm; crypto fetches the DRBG on its first use.
    V8::SetEntropySource([](unsigned char* buffer, size_t length) {
      // V8 falls back to very weak entropy when this function fails: abort.
      CHECK_EQ(uv_random(nullptr, nullptr, buffer, length, 0, nullptr), 0);
      return true;
    });
`,
    why: "V8's entropy from the kernel through libuv instead of OpenSSL's DRBG, whose first fetch at every start built OpenSSL's algorithm table (~3% of node -e 0)",
  },
];

/** The start-up edits whose texts Node 24.21 and 22.22.2 both have, byte for byte (each once in each tree). */
const START_UP_EDITS: TreeEdit[] = [HASH_SECRET_EDIT, ...IPV4_LISTEN, ...LISTEN_CLUSTER, ...LISTEN_LITERAL, ...SEA_MAIN_EXTERNAL, ...ENTROPY];
const START_UP_LINES = new Set(['22', '24']);

/**
 * V8 takes each 256 KiB page of its heap from the kernel as it needs one and writes it at once (deserialising Node's
 * snapshot at every start: ~1,000 of the static runtime's ~2,480 page faults of `node -e 0`), each 4 KiB faulted in on
 * its first write. One `madvise(MADV_POPULATE_WRITE)` (Linux 5.14) per page fills it in one call. Not the young
 * generation's pages (its second semi-space waits for the first scavenge), nor large objects' or code's: filling those
 * too gained no time and held ~0.6 MiB more. The static runtime's `node -e 0` −13%, broker's `--version` −14%, ~950 fewer
 * faults, ~1.1 MiB more peak RSS, on this project's Firecracker VM (docs/benchmarks.md, "A heap page filled in one call").
 * Advisory: an older kernel's EINVAL, or memory the cgroup refuses, leaves the page to fault in as before.
 */
const POPULATE_EDITS: Record<string, TreeEdit[]> = {
  '24': [
    {
      file: 'deps/v8/src/heap/memory-allocator.cc',
      from: `#include <cinttypes>
#include <optional>
`,
      to: `#include <sys/mman.h>  // broker: madvise (tree-fixes.ts)

#include <cinttypes>
#include <optional>
`,
      why: 'madvise for the heap-page edit below',
    },
    {
      file: 'deps/v8/src/heap/memory-allocator.cc',
      from: `  Address base = reservation.address();

  if (executable == EXECUTABLE) {
    ThreadIsolation::RegisterJitPage(base, chunk_size);
  }
`,
      to: `  Address base = reservation.address();

#if V8_OS_LINUX
  // broker (tree-fixes.ts): an old-generation page is written as soon as it is taken: fill it in one call, not 64
  // page faults. Not the young generation's (half of it waits for a scavenge), nor large objects' or code's.
  const bool large = space == LO_SPACE || space == NEW_LO_SPACE || space == CODE_LO_SPACE ||
                     space == TRUSTED_LO_SPACE || space == SHARED_LO_SPACE || space == SHARED_TRUSTED_LO_SPACE;
  if (executable != EXECUTABLE && !IsAnyNewSpace(space) && !large) {
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
    madvise(reinterpret_cast<void*>(base), chunk_size, MADV_POPULATE_WRITE);  // advisory: EINVAL before Linux 5.14
  }
#endif

  if (executable == EXECUTABLE) {
    ThreadIsolation::RegisterJitPage(base, chunk_size);
  }
`,
      why: "V8's old-generation heap pages filled in one madvise(MADV_POPULATE_WRITE) each instead of a page fault per 4 KiB (~900 of node -e 0's faults)",
    },
  ],
  // V8 12.4 (Node 22.22.2): the same pages, filled once the page is made read-write (it is reserved inaccessible first).
  '22': [
    {
      file: 'deps/v8/src/heap/memory-allocator.cc',
      from: `#include "src/heap/memory-allocator.h"

#include <cinttypes>
`,
      to: `#include "src/heap/memory-allocator.h"

#include <sys/mman.h>  // broker: madvise (tree-fixes.ts)

#include <cinttypes>
`,
      why: 'madvise for the heap-page edit below',
    },
    {
      file: 'deps/v8/src/heap/memory-allocator.cc',
      from: `      UpdateAllocatedSpaceLimits(base, base + commit_size, NOT_EXECUTABLE);
    } else {
`,
      to: `      UpdateAllocatedSpaceLimits(base, base + commit_size, NOT_EXECUTABLE);
#if V8_OS_LINUX
      // broker (tree-fixes.ts): an old-generation page is written as soon as it is taken: fill it in one call, not
      // 64 page faults. Not the young generation's (half of it waits for a scavenge), nor large objects'.
      const bool large = space == LO_SPACE || space == NEW_LO_SPACE || space == CODE_LO_SPACE ||
                         space == TRUSTED_LO_SPACE || space == SHARED_LO_SPACE;
      if (space != NEW_SPACE && !large) {
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
        madvise(reinterpret_cast<void*>(base), commit_size, MADV_POPULATE_WRITE);  // advisory: EINVAL before Linux 5.14
      }
#endif
    } else {
`,
      why: "V8's old-generation heap pages filled in one madvise(MADV_POPULATE_WRITE) each instead of a page fault per 4 KiB",
    },
  ],
};

const IF_SQLITE = '#if HAVE_SQLITE  // broker: --without-sqlite (tree-fixes.ts)\n';
const END_IF_SQLITE = '#endif  // HAVE_SQLITE\n';

/** Wraps `code` (whole lines) in `#if HAVE_SQLITE`: what needs node:sqlite's code, which --without-sqlite leaves out. */
function ifSqlite(code: string): string {
  return `${IF_SQLITE}${code}${END_IF_SQLITE}`;
}

const DOM_STORAGE_WHY = "--without-sqlite (baseFlags) leaves out node_webstorage, yet 24.21's inspector includes its DOMStorage agent, which needs sqlite3.h: the agent is compiled only with sqlite, as node_webstorage is";

/** The lines of Node 24.21's inspector_agent.cc that use the DOMStorage agent. */
const DOM_STORAGE_USES = [
  '#include "inspector/dom_storage_agent.h"\n',
  '      dom_storage_agent_ = std::make_unique<DOMStorageAgent>(env);\n      dom_storage_agent_->Wire(node_dispatcher_.get());\n',
  '    if (dom_storage_agent_) {\n      dom_storage_agent_->disable();\n      dom_storage_agent_.reset();\n    }\n',
  '    } else if (dom_storage_agent_ && dom_storage_agent_->canEmit(domain_name) &&\n               env_->options()->experimental_storage_inspection) {\n      dom_storage_agent_->emitNotification(context, event_name, params);\n',
  '  std::unique_ptr<DOMStorageAgent> dom_storage_agent_;\n',
];

/** Node 24.21's inspector built `--without-sqlite` (every static runtime is: configure-flags.ts). */
const WITHOUT_SQLITE_EDITS: Record<string, TreeEdit[]> = {
  '24': [
    ...DOM_STORAGE_USES.map((code) => ({ file: 'src/inspector_agent.cc', from: code, to: ifSqlite(code), why: DOM_STORAGE_WHY })),
    // The agent's own file, whole: its first line and its last two.
    { file: 'src/inspector/dom_storage_agent.cc', from: '#include "dom_storage_agent.h"\n', to: `${IF_SQLITE}#include "dom_storage_agent.h"\n`, why: DOM_STORAGE_WHY },
    { file: 'src/inspector/dom_storage_agent.cc', from: '}  // namespace inspector\n}  // namespace node\n', to: `}  // namespace inspector\n}  // namespace node\n${END_IF_SQLITE}`, why: DOM_STORAGE_WHY },
  ],
};

/**
 * `--intl small` keeps ICU's break iterators: the rules (.brk, 0.8 MB), root's and en's brkitr resources, and the
 * Thai, Lao, Khmer, Burmese and CJK dictionaries (3 MB) that root's resource names (icutrim drops root.res, and en.res
 * with it, when a dictionary it lists is missing). Node's small-icu trims them all, and V8 then keeps a null iterator
 * and crashes on the first Intl.Segmenter#segment (nodejs/node#51752; verify checks it, intl-proof.ts).
 */
const SMALL_ICU_EDITS: TreeEdit[] = [
  { file: 'tools/icu/icu_small.json', from: '"brkitr": "none",', to: '"brkitr": "locales",', why: 'small ICU keeps the break iterators of root and en' },
  { file: 'tools/icu/icu_small.json', from: '"brkfiles": "none",', to: '"brkfiles": "leavealone",', why: 'small ICU keeps the break-iterator rules (.brk)' },
  { file: 'tools/icu/icu_small.json', from: '"brkdict": "none",', to: '"brkdict": "leavealone",', why: "small ICU keeps the break-iterator dictionaries root's resource names" },
  { file: 'tools/icu/icu_small.json', from: '"genderList.res",\n    "brkitr/root.res",', to: '"genderList.res",', why: 'small ICU keeps brkitr/root.res' },
];

/** The edits a tree of Node `nodeVersion` built with `--intl intl` needs, from either source. */
export function editsFor(nodeVersion: string, intl: IntlMode): TreeEdit[] {
  const line = nodeLineOf(nodeVersion);
  return [...(TOOLCHAIN_EDITS[line] ?? []), ...(WITHOUT_SQLITE_EDITS[line] ?? []), ...(START_UP_LINES.has(line) ? START_UP_EDITS : []), ...(POPULATE_EDITS[line] ?? []), ...(intl === 'small' ? SMALL_ICU_EDITS : [])];
}

/** The fixes Node `nodeVersion`'s line needs, or undefined (Node 22). */
export function treeFixesFor(nodeVersion: string): TreeFixes | undefined {
  return FIXES[nodeLineOf(nodeVersion)];
}

/**
 * simdutf's amalgamate.py stamps both files with the time it ran (its git date, when there is a git checkout): every
 * re-configure then rewrote simdutf.h, and ninja recompiled the ~1,000 V8 objects that include it. The stamp goes.
 */
const AMALGAMATION_STAMP = /^\/\* auto-generated on [^*\n]*\*\/\n/;

/** What the configure stage hashes for `fixes`: the fixes and the backports' text, so editing a backport re-configures. */
export function treeFixInputs(fixes: TreeFixes): unknown {
  return { ...fixes, backports: fixes.uvBackports.map((name) => UV_BACKPORTS[name]), amalgamationStamp: AMALGAMATION_STAMP.source };
}

/** The amalgamated `text` without its time stamp: the same source makes the same bytes. */
export function withoutAmalgamationStamp(text: string, version: string): string {
  if (!AMALGAMATION_STAMP.test(text)) throw new Error(`simdutf ${version}'s amalgamation has no "/* auto-generated on … */" first line to drop (tree-fixes.ts)`);
  return text.replace(AMALGAMATION_STAMP, `/* auto-generated from simdutf ${version}; its time stamp dropped by broker's static runtime build */\n`);
}

/** The --shared-* deps configure must not get for this version (V8 builds them in the tree). */
export function notSharedFor(fixes: TreeFixes | undefined): string[] {
  return fixes?.v8Simdutf ? ['simdutf'] : [];
}

/**
 * libuv 1.52's keep-alive with the probe interval and count given (1.51 hard-codes 1 s and 10 probes).
 * On the unix side only (the runtime is for Linux): 1.51's uv__tcp_keepalive sets SO_KEEPALIVE and the
 * idle time and validates them as before, then the interval and count are set, validated the way the
 * idle time is (at least 1).
 */
const UV_TCP_KEEPALIVE_EX = `
/* Backported from libuv 1.52 by broker's static runtime build (build/runtime/static/tree-fixes.ts):
 * Node 24 calls it; this libuv is 1.51. */
int uv_tcp_keepalive_ex(uv_tcp_t* handle,
                        int on,
                        unsigned int idle,
                        unsigned int intvl,
                        unsigned int cnt) {
  int fd;
  int err;
  int value;

  fd = uv__stream_fd(handle);
  if (fd != -1) {
    err = uv__tcp_keepalive(fd, on, idle);
    if (err)
      return err;
    if (on) {
      if (intvl < 1 || cnt < 1)
        return UV_EINVAL;
#ifdef TCP_KEEPINTVL
      value = intvl;
      if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &value, sizeof(value)))
        return UV__ERR(errno);
#endif
#ifdef TCP_KEEPCNT
      value = cnt;
      if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &value, sizeof(value)))
        return UV__ERR(errno);
#endif
    }
  }

  if (on)
    handle->flags |= UV_HANDLE_TCP_KEEPALIVE;
  else
    handle->flags &= ~UV_HANDLE_TCP_KEEPALIVE;

  return 0;
}
`;

/** A change to a libuv file: `from` replaced by `to`, or `to` appended when `from` is null. */
interface UvEdit {
  file: string;
  from: string | null;
  to: string;
}

const KEEPALIVE_ANCHOR = 'UV_EXTERN int uv_tcp_simultaneous_accepts(uv_tcp_t* handle, int enable);\n';
const STATFS_SPARE = '  uint64_t f_ffree;\n  uint64_t f_spare[4];\n';
const STATFS_FILL = '  stat_fs->f_ffree = buf.f_ffree;\n';

/** Each backport: what include/uv.h holds once libuv has it (then the backport must go), and its edits. */
const UV_BACKPORTS = {
  uv_tcp_keepalive_ex: {
    mark: 'uv_tcp_keepalive_ex(',
    edits: [
      {
        file: 'include/uv.h',
        from: KEEPALIVE_ANCHOR,
        to: `${KEEPALIVE_ANCHOR}UV_EXTERN int uv_tcp_keepalive_ex(uv_tcp_t* handle,\n                                  int enable,\n                                  unsigned int delay,\n                                  unsigned int intvl,\n                                  unsigned int cnt);\n`,
      },
      { file: 'src/unix/tcp.c', from: null, to: UV_TCP_KEEPALIVE_EX },
    ],
  },
  // libuv 1.52's uv_statfs_t.f_frsize (fs.statfs()'s frsize in Node 24), taken from one of the spare fields as 1.52
  // does, so the struct keeps its size; statfs(2) fills it on Linux.
  uv_statfs_f_frsize: {
    mark: 'f_frsize',
    edits: [
      { file: 'include/uv.h', from: STATFS_SPARE, to: '  uint64_t f_ffree;\n  uint64_t f_frsize;  /* backported from libuv 1.52 (broker: tree-fixes.ts) */\n  uint64_t f_spare[3];\n' },
      { file: 'src/unix/fs.c', from: STATFS_FILL, to: `${STATFS_FILL}  stat_fs->f_frsize = buf.f_frsize;\n` },
    ],
  },
} satisfies Record<string, { mark: string; edits: UvEdit[] }>;

/** Edit a file in place; written only if the text changes, so ninja rebuilds exactly what an edit changed. */
function editFile(path: string, edit: (text: string) => string): void {
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after !== before) writeFileSync(path, after);
}

/** Make backport `name` in the libuv tree at `uvDir`; fails if that libuv already has it, or lacks what it edits. */
export function backportIntoUv(uvDir: string, name: keyof typeof UV_BACKPORTS): void {
  const b = UV_BACKPORTS[name];
  if (readFileSync(join(uvDir, 'include', 'uv.h'), 'utf8').includes(b.mark)) throw new Error(`deps/uv/include/uv.h already has ${b.mark.replace(/\($/, '')}: drop backport ${name} (tree-fixes.ts)`);
  for (const e of b.edits)
    editFile(join(uvDir, e.file), (text) => {
      if (e.from === null) return text + e.to;
      if (!text.includes(e.from)) throw new Error(`deps/uv/${e.file}: no "${e.from.trim()}" for backport ${name} to change`);
      return text.replace(e.from, e.to);
    });
}

/**
 * Where applyEdits keeps each edited file as the tree had it, so every configure edits from that text: an edit dropped
 * or changed since the last configure of a kept tree is undone, as in a tree unpacked afresh (the same binary either way).
 */
export const EDIT_ORIGINALS = '.broker-originals';

/** Make each edit in the tree (the tree is unpacked once and configured again after input changes). */
export function applyEdits(tree: string, edits: TreeEdit[]): string[] {
  const originals = join(tree, EDIT_ORIGINALS);
  const files = new Set(edits.map((e) => e.file));
  // A file an earlier configure edited and this one does not: back to the tree's own text.
  const kept = existsSync(originals) ? readdirSync(originals, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(originals, f)).isFile()) : [];
  for (const file of kept) {
    if (files.has(file)) continue;
    editFile(join(tree, file), () => readFileSync(join(originals, file), 'utf8'));
    rmSync(join(originals, file));
  }
  for (const file of files) {
    const original = join(originals, file);
    if (!existsSync(original)) {
      mkdirSync(dirname(original), { recursive: true });
      copyFileSync(join(tree, file), original);
    }
    const edited = edits.filter((e) => e.file === file).reduce((text, edit) => applyEdit(text, edit), readFileSync(original, 'utf8'));
    // Written only when it differs: an unchanged file keeps its mtime, and ninja rebuilds nothing for it.
    editFile(join(tree, file), () => edited);
  }
  return edits.map((edit) => `${edit.file} edited: ${edit.why}`);
}

function applyEdit(text: string, edit: TreeEdit): string {
  // Made already (a tree edited before its originals were kept): `to` is there, and `from` only as part of it, if at all.
  if (text.includes(edit.to) && (edit.to.includes(edit.from) || !text.includes(edit.from))) return text;
  if (text.includes(edit.from)) return text.replace(edit.from, edit.to);
  throw new Error(`${edit.file}: "${edit.from}" is not there (tree-fixes.ts: ${edit.why})`);
}

/**
 * Make directory `to` hold what `from` holds, by content: a file whose bytes are unchanged keeps its mtime (a
 * re-configure rebuilds nothing for it), a changed or new one is written (ninja rebuilds what uses it), and a file
 * `from` lacks is removed.
 */
export function syncByContent(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  const wanted = new Set(readdirSync(from));
  for (const name of readdirSync(to)) if (!wanted.has(name)) rmSync(join(to, name), { recursive: true, force: true });
  for (const name of wanted) {
    const src = join(from, name);
    const dst = join(to, name);
    if (statSync(src).isDirectory()) {
      if (existsSync(dst) && !statSync(dst).isDirectory()) rmSync(dst, { force: true });
      syncByContent(src, dst);
    } else if (!existsSync(dst) || statSync(dst).isDirectory() || !readFileSync(src).equals(readFileSync(dst))) {
      rmSync(dst, { recursive: true, force: true });
      copyFileSync(src, dst);
    }
  }
}

/**
 * Apply `fixes` to the unpacked tree: the donor's directories with the libuv backports, and V8's simdutf, are
 * made in `work` (a scratch directory: the configure stage's own) and synced into the tree by content.
 */
export async function applyTreeFixes(ctx: StaticBuildContext, fixes: TreeFixes, tree: string, work: string, log: string): Promise<string[]> {
  const done: string[] = [];
  const staged = join(work, 'tree-fixes');
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  const donor = fetched(ctx, fixes.donor.source);
  // Debian's orig has one top directory (node-v22.22.2/): strip it, extract only the wanted paths. (sed reads
  // the whole listing: head would close the pipe early, and pipefail would fail on tar's SIGPIPE.)
  const members = fixes.donor.paths.map((p) => `"$TOP/${p}"`).join(' ');
  await runShell(`TOP=$(tar tf '${donor.path}' | sed -n '1s|/.*||p') && tar xf '${donor.path}' --strip-components=1 -C '${staged}' ${members}`, { cwd: work, log });
  done.push(`${fixes.donor.paths.join(', ')} from ${donor.input.origin}`);
  for (const name of fixes.uvBackports) {
    backportIntoUv(join(staged, 'deps', 'uv'), name);
    done.push(`${name} backported into libuv`);
  }
  const synced = [...fixes.donor.paths];
  if (fixes.v8Simdutf) {
    const simdutf = fetched(ctx, 'simdutf');
    const src = join(work, 'simdutf-src');
    const rel = 'deps/v8/third_party/simdutf';
    const out = join(staged, rel);
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    mkdirSync(out, { recursive: true });
    await runShell(`tar xf '${simdutf.path}' --strip-components=1 -C '${src}' && AMALGAMATE_OUTPUT_PATH='${out}' /usr/bin/python3 singleheader/amalgamate.py`, { cwd: src, log });
    // As the simdutf library recipe (deps/simdutf.ts): no AVX-512 kernel, whose target attributes lack the
    // 'evex512' clang 19 requires; the AVX2 kernel is still picked at run time.
    for (const file of ['simdutf.h', 'simdutf.cpp']) editFile(join(out, file), (text) => withoutAmalgamationStamp(text, simdutf.input.version));
    editFile(join(out, 'simdutf.cpp'), (text) => `#define SIMDUTF_IMPLEMENTATION_ICELAKE 0\n${text}`);
    synced.push(rel);
    done.push(`simdutf ${simdutf.input.version} amalgamated into V8's third_party`);
  }
  for (const rel of synced) syncByContent(join(staged, rel), join(tree, rel));
  return done;
}

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLogged } from './command.ts';
import type { StaticBuildContext } from './context.ts';
import { runStage } from './stage.ts';
import { targetInput } from './target.ts';

/** One call into each dependency, so a missing symbol or a broken archive shows before V8 does. */
const PROBE = `#include <openssl/ssl.h>
#include <ares.h>
#include <nghttp2/nghttp2.h>
#include <brotli/encode.h>
#include <brotli/decode.h>
#include <zstd.h>
#include <zlib.h>
#include <llhttp.h>
#include <ada.h>
#include <simdutf.h>
#include <simdjson.h>
#include <cstdio>
int main() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  llhttp_t p; llhttp_settings_t s; llhttp_settings_init(&s); llhttp_init(&p, HTTP_REQUEST, &s);
  auto url = ada::parse<ada::url_aggregator>("https://example.com/a");
  simdjson::ondemand::parser jp; auto json = simdjson::padded_string(std::string("{\\"a\\":1}"));
  auto doc = jp.iterate(json); int64_t a = doc["a"].get_int64();
  std::printf("%s|c-ares %s|nghttp2 %s|brotli %x|zstd %u|zlib %s|ada %d|simdutf %d|simdjson %lld|ssl %d\\n",
    OpenSSL_version(OPENSSL_VERSION), ares_version(nullptr), nghttp2_version(0)->version_str,
    BrotliDecoderVersion(), ZSTD_versionNumber(), zlibVersion(), (bool)url,
    simdutf::validate_utf8("abc", 3), (long long)a, ctx != nullptr);
}
`;

/**
 * Link a static musl program against every dependency library, exactly as node will be (same
 * names, same order), and run it: proves the archives before hours are spent on V8.
 */
export async function probeDependencies(ctx: StaticBuildContext): Promise<string> {
  return runStage<string>(
    ctx.stageRoot,
    {
      name: 'deps-probe',
      inputs: { libs: ctx.libs, probe: PROBE, zig: ctx.toolchain.zigVersion, target: targetInput(ctx.target) },
      run: async ({ dir, log }) => {
        writeFileSync(join(dir, 'probe.cc'), PROBE);
        const args = ['-std=c++20', '-O1', '-static', '-pthread', 'probe.cc', '-o', 'probe'];
        for (const lib of Object.values(ctx.libs)) args.push(`-I${lib.includeDir}`, `-L${lib.libDir}`);
        for (const lib of Object.values(ctx.libs)) args.push(...lib.libNames.map((n) => `-l${n}`));
        await runLogged(ctx.toolchain.cxx, args, { cwd: dir, log, nice: true });
        const out = execFileSync(join(dir, 'probe'), { encoding: 'utf8', env: {} });
        if (!/ssl 1$/.test(out.trim())) throw new Error(`probe printed: ${out}`);
        return out.trim();
      },
    },
    ctx.options.report,
  );
}

import type { StaticTarget } from '../target.ts';

/**
 * libcrypto + libssl only (build_libs): the apps and tests are not needed. No QUIC headers in 3.5's
 * public API means configure leaves Node's QUIC (and the ngtcp2/nghttp3 Debian lacks) off.
 */
export function opensslScript(target: StaticTarget): string {
  return `./Configure ${target.openssl} no-shared no-tests no-docs --prefix="$PREFIX" --libdir=lib --openssldir=/etc/ssl -O2
make -j"$JOBS" build_libs
make install_dev`;
}

/** c-ares 1.34.5 as vendored in gevent's orig tarball (Node 22 needs c-ares >= 1.28): built in its deps/c-ares. */
export const CARES_SCRIPT = `./configure --host="$TARGET" --disable-shared --enable-static --disable-tests --prefix="$PREFIX" CFLAGS=-O2
make -j"$JOBS"
make install`;

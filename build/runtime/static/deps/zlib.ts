export const ZLIB_SCRIPT = `CFLAGS='-O2 -fPIC' ./configure --static --prefix="$PREFIX"
make -j"$JOBS" libz.a
make install`;

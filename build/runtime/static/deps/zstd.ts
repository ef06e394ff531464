export const ZSTD_SCRIPT = `make -C lib -j"$JOBS" libzstd.a CC="$CC" AR="$AR" CFLAGS=-O2
cp lib/libzstd.a "$PREFIX/lib/"
cp lib/zstd.h lib/zdict.h lib/zstd_errors.h "$PREFIX/include/"`;

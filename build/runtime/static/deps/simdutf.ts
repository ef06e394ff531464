/**
 * Amalgamated like Node's deps/simdutf (one .cpp + one .h), with the installed python3. The AVX-512
 * (icelake) kernel is off: its target attributes lack 'evex512', which clang 19 requires; the
 * AVX2 kernel is still picked at run time.
 */
export const SIMDUTF_SCRIPT = `mkdir -p amalgamated
AMALGAMATE_OUTPUT_PATH="$PWD/amalgamated" /usr/bin/python3 singleheader/amalgamate.py
"$CXX" -std=c++20 -O2 -DSIMDUTF_IMPLEMENTATION_ICELAKE=0 -c amalgamated/simdutf.cpp -o simdutf.o
"$AR" rcs "$PREFIX/lib/libsimdutf.a" simdutf.o
cp amalgamated/simdutf.h "$PREFIX/include/"`;

import { cmakeScript } from './static-lib.ts';

// Debian's orig is a git snapshot without ./configure: use its CMake build.
export const NGHTTP2_SCRIPT = cmakeScript(['-DENABLE_LIB_ONLY=ON', '-DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DENABLE_DOC=OFF -DBUILD_TESTING=OFF'], true);

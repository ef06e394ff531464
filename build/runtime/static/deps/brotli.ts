import { cmakeScript } from './static-lib.ts';

export const BROTLI_SCRIPT = cmakeScript(['-DBUILD_SHARED_LIBS=OFF -DBROTLI_DISABLE_TESTS=ON'], false);

import { cmakeScript } from './static-lib.ts';

export const ADA_SCRIPT = cmakeScript(['-DBUILD_SHARED_LIBS=OFF', '-DADA_TESTING=OFF -DADA_TOOLS=OFF -DADA_BENCHMARKS=OFF -DADA_INCLUDE_URL_PATTERN=ON'], true);

// Hashing lives in shared/toolchain/file-hash.ts. This re-export stays only while
// build/runtime/static/verify.ts (being edited elsewhere) still imports '../../hash.ts'.
export { fileFact, sha256File } from '../shared/toolchain/file-hash.ts';

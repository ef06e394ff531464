/*
 * seal.startup "snapshot": the bundle's top level runs once, when the blob is made, and the heap it leaves is the
 * binary's start-up snapshot. What Node keeps of that build-time process must not differ between two builds of
 * one commit, or neither would the binaries.
 */

/**
 * First line of a snapshot build's bundle. Node stores process.pid as a plain value; the snapshot would carry
 * the builder's pid (a new one every build). Node sets the running process's own pid again at each start, over
 * this one (pack.test.ts checks the binary reports its real pid).
 */
export const SNAPSHOT_PROLOGUE = `Object.defineProperty(process,"pid",{value:0,writable:false,enumerable:true,configurable:true});`;

/**
 * V8 flags for making the snapshot: --predictable runs the build single-threaded on a clock that only counts
 * V8's own steps, so no GC timing or background thread leaves a different value behind. Only the build uses it:
 * the binary starts with the blob's Node options alone.
 */
export const SNAPSHOT_BUILD_FLAGS = ['--predictable'];

/**
 * Where a snapshot is made (steps/blob.ts): Node puts the main script's absolute path into the snapshot, so the
 * directory must be named the same on every machine. /tmp as such, not $TMPDIR, which differs between them.
 */
export const SNAPSHOT_PARENT = '/tmp';

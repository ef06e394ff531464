/** The CPU architectures an artifact (and its runtime) can be built for, in Node's spelling. */
export type Arch = 'x64' | 'arm64';

// Worker threads started from a file of the program — new Worker(join(__dirname, 'worker.js')), or its file URL.
// That file lives in the mounted tree (prelude/assets.cjs), which a worker thread's own loader cannot see, so
// the worker starts from the file's code instead (eval). The build put there the worker's own bundle, with
// the assets prelude in front, so inside the worker the same tree is mounted.
'use strict';

const fs = require('node:fs');
const { fileURLToPath } = require('node:url');
const threads = require('node:worker_threads');

const root = __SEAL_VIRTUAL_ROOT__;
const NodeWorker = threads.Worker;

function ownFile(filename) {
  let path = filename;
  if (filename instanceof URL) path = filename.protocol === 'file:' ? fileURLToPath(filename) : null;
  else if (typeof filename === 'string' && filename.startsWith('file:')) path = fileURLToPath(filename);
  return typeof path === 'string' && path.startsWith(`${root}/`) ? path : null;
}

// The files the build bundled as workers; any other file of the tree (one a seal.external package starts its thread
// from: jest-worker's threadChild.js) runs unbundled from the mounted tree, through a bootstrap bundled with the
// preludes that mounts it in the thread and requires the file there (empty in the bootstrap's own thread: a thread
// it starts from another such file falls back to the file's code).
const bundled = new Set(__SEAL_WORKER_FILES__);
const bootstrap = __SEAL_WORKER_BOOTSTRAP__;

class Worker extends NodeWorker {
  constructor(filename, options) {
    const own = options?.eval ? null : ownFile(filename);
    if (own === null) super(filename, options);
    else if (bundled.has(own) || bootstrap === '') super(fs.readFileSync(own, 'utf8'), { ...options, eval: true });
    else super(`globalThis.__sealWorkerFile = ${JSON.stringify(own)};\n${bootstrap}`, { ...options, eval: true });
  }
}

threads.Worker = Worker;

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

class Worker extends NodeWorker {
  constructor(filename, options) {
    const own = options?.eval ? null : ownFile(filename);
    if (own === null) super(filename, options);
    else super(fs.readFileSync(own, 'utf8'), { ...options, eval: true });
  }
}

threads.Worker = Worker;

// Runs after the assets prelude in a binary that embeds native addons (project/entry.ts). The loader maps a
// .node file from the disk, so an addon under the virtual root is first copied out of the embedded files
// into a cache file named by its content, <cache>/<sha256>/<name>.node, then loaded from there.
// The cache file is written under a temporary name and renamed, so no process ever loads a half-written
// one; an existing one is compared with the embedded bytes and replaced when it differs.
'use strict';

const sea = require('node:sea');

if (sea.isSea()) {
  const fs = require('node:fs');
  const { basename, isAbsolute, join } = require('node:path');
  const root = __SEAL_VIRTUAL_ROOT__;
  const app = __SEAL_APP_NAME__;
  const dlopen = process.dlopen;
  let cacheDir;

  // A directory only this user can write: a file others could replace would be code run as this user.
  const ownDir = (dir) => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== process.getuid() || (st.mode & 0o022) !== 0) throw new Error(`${dir} is not a directory only this user can write`);
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  };

  // <$XDG_CACHE_HOME or ~/.cache>/<app>/addons, else <tmp>/<app>-<uid>/addons (a read-only or missing home).
  const addonCache = () => {
    if (cacheDir) return cacheDir;
    const os = require('node:os');
    const xdg = process.env.XDG_CACHE_HOME;
    const homes = [join(isAbsolute(xdg || '') ? xdg : join(os.homedir(), '.cache'), app), join(os.tmpdir(), `${app}-${process.getuid()}`)];
    const failures = [];
    for (const home of homes) {
      try {
        cacheDir = ownDir(join(ownDir(home), 'addons'));
        return cacheDir;
      } catch (err) {
        failures.push(err.message);
      }
    }
    throw new Error(`${app}: no directory to copy its native addons into (${failures.join('; ')})`);
  };

  const copyOut = (filename) => {
    const bytes = fs.readFileSync(filename); // from the embedded files
    const sum = require('node:crypto').createHash('sha256').update(bytes).digest('hex');
    const dir = ownDir(join(addonCache(), sum));
    const file = join(dir, basename(filename));
    try {
      if (fs.readFileSync(file).equals(bytes)) return file;
    } catch {}
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temp, bytes, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file); // atomic: a loader sees the old file or the whole new one
    return file;
  };

  process.dlopen = function sealDlopen(module, filename, ...rest) {
    const real = typeof filename === 'string' && filename.startsWith(`${root}/`) ? copyOut(filename) : filename;
    return dlopen.call(this, module, real, ...rest);
  };
}

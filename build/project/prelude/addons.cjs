// Runs after the assets prelude in a binary that embeds native addons (project/entry.ts). The loader maps a
// .node file from the disk, so an addon under the virtual root is first copied out of the embedded files
// into a cache file named by its content, <cache>/<sha256>/<name>.node, then loaded from there; one that loads
// shared libraries from beside itself ($ORIGIN) goes with them, each at its place under <cache>/<sha256 of all>/.
// The cache file is written under a temporary name and renamed, so no process ever loads a half-written
// one; an existing one is compared with the embedded bytes and replaced when it differs.
'use strict';

const sea = require('node:sea');

if (sea.isSea()) {
  const fs = require('node:fs');
  const { basename, dirname, isAbsolute, join } = require('node:path');
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

  // An addon that loads shared libraries from beside itself ($ORIGIN): where it and they go (project/bundle.ts, addonPlaces).
  const places = __SEAL_ADDON_LIBRARIES__;

  const place = (file, bytes) => {
    try {
      if (fs.readFileSync(file).equals(bytes)) return;
    } catch {}
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temp, bytes, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file); // atomic: a loader sees the old file or the whole new one
  };

  const copyOut = (filename) => {
    const { createHash } = require('node:crypto');
    const set = places[filename];
    if (!set) {
      const bytes = fs.readFileSync(filename); // from the embedded files
      const file = join(ownDir(join(addonCache(), createHash('sha256').update(bytes).digest('hex'))), basename(filename));
      place(file, bytes);
      return file;
    }
    // The addon with its libraries, each at its place under one directory named by all of them, so its run path finds them.
    const files = [[filename, set.at], ...set.libraries].map(([from, at]) => ({ at, bytes: fs.readFileSync(from) }));
    const hash = createHash('sha256');
    for (const f of files) hash.update(`${f.at}\0${f.bytes.length}\0`).update(f.bytes);
    const dir = ownDir(join(addonCache(), hash.digest('hex')));
    for (const f of files) {
      fs.mkdirSync(dirname(join(dir, f.at)), { recursive: true, mode: 0o700 });
      place(join(dir, f.at), f.bytes);
    }
    return join(dir, set.at);
  };

  process.dlopen = function sealDlopen(module, filename, ...rest) {
    const real = typeof filename === 'string' && filename.startsWith(`${root}/`) ? copyOut(filename) : filename;
    return dlopen.call(this, module, real, ...rest);
  };
}

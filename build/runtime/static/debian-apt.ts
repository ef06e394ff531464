import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLogged } from './command.ts';

/**
 * A private APT configuration under the cache (own sources.list with deb-src lines, own lists and
 * archive cache) so fetching sources never touches the system's apt setup.
 */
export interface PrivateApt {
  root: string;
  options: string[];
}

const SOURCES = [
  'deb-src http://deb.debian.org/debian bookworm main',
  'deb-src http://deb.debian.org/debian trixie main',
  'deb-src http://deb.debian.org/debian-security trixie-security main',
  'deb-src http://deb.debian.org/debian forky main',
  'deb-src http://deb.debian.org/debian sid main',
];

export function privateApt(cacheDir: string): PrivateApt {
  const root = join(cacheDir, 'apt');
  for (const d of ['etc/sources.list.d', 'etc/preferences.d', 'lists/partial', 'cache/archives/partial']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  writeFileSync(join(root, 'etc/sources.list'), `${SOURCES.join('\n')}\n`);
  const options = [
    `Dir::Etc::SourceList=${root}/etc/sources.list`,
    `Dir::Etc::SourceParts=${root}/etc/sources.list.d`,
    `Dir::Etc::Preferences=${root}/etc/preferences`,
    `Dir::Etc::PreferencesParts=${root}/etc/preferences.d`,
    `Dir::State::Lists=${root}/lists`,
    `Dir::Cache=${root}/cache`,
  ].flatMap((o) => ['-o', o]);
  return { root, options };
}

export async function aptUpdate(apt: PrivateApt, log: string): Promise<void> {
  await runLogged('apt-get', [...apt.options, '-q', 'update'], { cwd: apt.root, log });
}

/**
 * `apt-get source --download-only PKG=VERSION` into dir. The mirror answers 404 for some .dsc and
 * .debian.tar files while serving the orig tarball, so a non-zero exit is not an error here: the
 * caller checks the one file it needs against its pinned sha256.
 */
export async function aptDownloadSource(apt: PrivateApt, spec: string, dir: string, log: string): Promise<void> {
  await runLogged('apt-get', [...apt.options, '-q', 'source', '--download-only', spec], { cwd: dir, log }).catch(() => undefined);
}

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ImageFacts, resolveInRoot } from '../../docker/facts.ts';
import { removedIn } from '../../docker/images.ts';
import { type ArtifactNeeds, predict } from '../../docker/predict.ts';
import { tempDir } from '../fixtures/context.ts';

const official: ArtifactNeeds = {
  linkage: 'dynamic',
  interpreter: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libstdc++.so.6', 'libc.so.6'],
  versionNeeds: [
    { file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.28'] },
    { file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.21'] },
  ],
};

function facts(over: Partial<ImageFacts>): ImageFacts {
  return {
    libc: 'glibc 2.31',
    libbz2: true,
    interpreterPresent: true,
    libraries: {
      'libc.so.6': { path: '/lib/x86_64-linux-gnu/libc.so.6', versionDefs: ['GLIBC_2.2.5', 'GLIBC_2.17', 'GLIBC_2.28', 'GLIBC_2.30'] },
      'libstdc++.so.6': { path: '/usr/lib/x86_64-linux-gnu/libstdc++.so.6', versionDefs: ['GLIBCXX_3.4.21', 'GLIBCXX_3.4.28'] },
    },
    ...over,
  };
}

describe('prediction from the inspector', () => {
  it('static artifacts pass anywhere', () => {
    expect(predict({ ...official, linkage: 'static', interpreter: null, needed: [], versionNeeds: [] }, facts({ libc: 'none', interpreterPresent: null, libraries: {} })).expected).toBe('pass');
  });

  it('a glibc artifact passes where the loader, libraries and versions are all there', () => {
    expect(predict(official, facts({}))).toEqual({ expected: 'pass', reason: 'glibc 2.31: every library and symbol version present' });
  });

  it('names the missing loader, library, or symbol version — the seed RHEL 8 case', () => {
    expect(predict(official, facts({ interpreterPresent: false })).reason).toBe('no loader /lib64/ld-linux-x86-64.so.2');
    expect(predict(official, facts({ libraries: { 'libc.so.6': facts({}).libraries['libc.so.6']!, 'libstdc++.so.6': null } })).reason).toBe('missing libstdc++.so.6');
    const old = facts({ libraries: { ...facts({}).libraries, 'libc.so.6': { path: '/lib64/libc.so.6', versionDefs: ['GLIBC_2.2.5', 'GLIBC_2.17'] } } });
    expect(predict(official, old)).toEqual({ expected: 'fail', reason: 'libc.so.6 lacks GLIBC_2.28 (has up to GLIBC_2.17)' });
  });
});

describe('variants', () => {
  it('without-libbz2 removes exactly the libbz2 objects', () => {
    const members = ['./lib/x86_64-linux-gnu/libbz2.so.1.0.4', './lib/x86_64-linux-gnu/libbz2.so.1', 'usr/lib64/libbz2.so.1', './usr/share/doc/libbz2-1.0/copyright', './lib/x86_64-linux-gnu/libc.so.6'];
    expect(members.filter((m) => removedIn('without-libbz2', m))).toEqual(members.slice(0, 3));
  });

  it('without-libc removes glibc and musl loaders and objects, not other libraries', () => {
    const gone = [
      './lib/x86_64-linux-gnu/libc.so.6',
      './lib/x86_64-linux-gnu/libc-2.31.so',
      './lib64/ld-linux-x86-64.so.2',
      './lib/x86_64-linux-gnu/ld-2.31.so',
      './lib/x86_64-linux-gnu/libm.so.6',
      './lib/x86_64-linux-gnu/libpthread.so.0',
      './lib/ld-musl-x86_64.so.1',
      './usr/lib/x86_64-linux-musl/libc.so',
      'usr/lib64/libc.so.6',
    ];
    const kept = ['./usr/lib/x86_64-linux-gnu/libstdc++.so.6', './lib/x86_64-linux-gnu/libcrypt.so.1', './lib/x86_64-linux-gnu/libcap.so.2', './usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0', './usr/share/doc/libc6/copyright'];
    expect(gone.filter((m) => !removedIn('without-libc', m))).toEqual([]);
    expect(kept.filter((m) => removedIn('without-libc', m))).toEqual([]);
  });

  it('without-libc also empties arm64 roots: the aarch64 glibc loader and the musl libc', () => {
    const gone = ['./lib/ld-linux-aarch64.so.1', './lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', './lib/aarch64-linux-gnu/libc.so.6', './lib/ld-musl-aarch64.so.1', './lib/aarch64-linux-musl/libc.so'];
    const kept = ['./usr/lib/aarch64-linux-gnu/libstdc++.so.6', './lib/aarch64-linux-gnu/libbz2.so.1.0', './etc/ld-musl-aarch64.path'];
    expect(gone.filter((m) => !removedIn('without-libc', m))).toEqual([]);
    expect(kept.filter((m) => removedIn('without-libc', m))).toEqual([]);
  });
});

describe('resolveInRoot', () => {
  it('follows absolute links inside the root, relative links, and gives up on loops', () => {
    const root = tempDir('root');
    mkdirSync(join(root, 'lib/x86_64-linux-gnu'), { recursive: true });
    mkdirSync(join(root, 'lib64'));
    writeFileSync(join(root, 'lib/x86_64-linux-gnu/ld-2.31.so'), '');
    symlinkSync('/lib/x86_64-linux-gnu/ld-2.31.so', join(root, 'lib64/ld-linux-x86-64.so.2'));
    symlinkSync('ld-2.31.so', join(root, 'lib/x86_64-linux-gnu/ld.so'));
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    expect(resolveInRoot(root, '/lib64/ld-linux-x86-64.so.2')).toBe(join(root, 'lib/x86_64-linux-gnu/ld-2.31.so'));
    expect(resolveInRoot(root, '/lib/x86_64-linux-gnu/ld.so')).toBe(join(root, 'lib/x86_64-linux-gnu/ld-2.31.so'));
    expect(resolveInRoot(root, '/loop-a')).toBeNull();
    expect(resolveInRoot(root, '/missing')).toBeNull();
  });
});

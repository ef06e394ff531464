/** The portability matrix's images: one per role, a registry image online and an honest local stand-in offline. */

export type OfflineRecipe =
  /** A Debian root filesystem made with mmdebstrap from the Debian mirror. */
  | { kind: 'mmdebstrap'; suite: string; variant: 'minbase' }
  /**
   * Files unpacked from Debian packages with no package manager and no maintainer scripts (for a musl-only
   * root): `mmdebstrap --variant=extract`, which fetches any architecture without touching the host's apt.
   */
  | { kind: 'extract'; suite: string; packages: string[]; busyboxApplets: string[] }
  /** Nothing at all. */
  | { kind: 'empty' };

export interface ImageSpec {
  id: string;
  /** What the row stands for: the seed's RHEL 8 case, Alpine's musl, old/new Debian, nothing. */
  role: string;
  /** Registry reference used when a registry is reachable. */
  online?: string;
  /** Local recipe used offline; absent when no truthful stand-in can be made here. */
  offline?: { recipe: OfflineRecipe; name: string; label: string };
}

export const IMAGES: ImageSpec[] = [
  {
    id: 'rhel8',
    role: 'RHEL 8 (glibc 2.28)',
    online: 'registry.access.redhat.com/ubi8/ubi-minimal',
    // Debian's mirror here serves no suite with glibc 2.28 (buster is archived), so there is no honest stand-in.
  },
  {
    id: 'musl',
    role: 'Alpine (musl, no glibc)',
    online: 'alpine',
    offline: {
      recipe: { kind: 'extract', suite: 'bookworm', packages: ['musl', 'busybox-static'], busyboxApplets: ['sh', 'ls', 'rm', 'cat'] },
      name: 'musl-only',
      label: 'musl-only: Debian musl + busybox-static (stands in for Alpine)',
    },
  },
  {
    id: 'debian-old',
    role: 'Debian old (bullseye, glibc 2.31)',
    online: 'debian:bullseye-slim',
    offline: { recipe: { kind: 'mmdebstrap', suite: 'bullseye', variant: 'minbase' }, name: 'debian-bullseye-minbase', label: 'debian bullseye minbase (local mmdebstrap)' },
  },
  {
    id: 'debian-new',
    role: 'Debian new (bookworm, glibc 2.36)',
    online: 'debian:bookworm-slim',
    offline: { recipe: { kind: 'mmdebstrap', suite: 'bookworm', variant: 'minbase' }, name: 'debian-bookworm-minbase', label: 'debian bookworm minbase (local mmdebstrap)' },
  },
  {
    id: 'scratch',
    role: 'scratch (empty)',
    offline: { recipe: { kind: 'empty' }, name: 'scratch', label: 'scratch (empty root filesystem)' },
  },
];

/** What is taken out of an image before a run: the seed's libbz2 check, and the whole libc for static builds. */
export type Variant = 'as-shipped' | 'without-libbz2' | 'without-libc';

const LIBBZ2 = /(^|\/)libbz2\.so[^/]*$/;
// glibc's and musl's shared objects and loaders; what remains cannot run any dynamic program.
const LIBC =
  /(^|\/)(libc\.so\.6|libc-[\d.]+\.so|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|ld-[\d.]+\.so|libm\.so\.6|libm-[\d.]+\.so|libpthread(\.so\.0|-[\d.]+\.so)|libdl(\.so\.2|-[\d.]+\.so)|librt(\.so\.1|-[\d.]+\.so)|ld-musl-[^/]+\.so\.1|libc\.musl-[^/]+\.so\.1|[^/]+-linux-musl\/libc\.so)$/;

/** Whether a root filesystem member is removed in this variant. */
export function removedIn(variant: Variant, member: string): boolean {
  if (variant === 'without-libbz2') return LIBBZ2.test(member);
  if (variant === 'without-libc') return LIBC.test(member);
  return false;
}

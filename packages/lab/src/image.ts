/**
 * The lab's base image: debootstrap once, prepare for lab life, cache as a zstd tarball keyed by the
 * package list and preparation, and keep one unpacked copy as the hosts' shared (read-only) overlay lower
 * layer. Every stage writes to a .tmp name and renames when complete, so a half-built image is never used.
 */
import { chmod, copyFile, lstat, mkdir, readFile, readdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mirrorFromSources, DEB822_SOURCES, ONE_LINE_SOURCES } from './apt-sources.js';
import { LabError, run } from './exec.js';
import {
  BOOT_REPORT_SCRIPT, BOOT_REPORT_SCRIPT_PATH, BOOT_REPORT_UNIT, BOOT_REPORT_UNIT_NAME, FIREWALLD_ENABLE_LINKS, IMAGE_RELEASE,
  IMAGE_VARIANT, INITTAB, MASKED_UNITS, NEUTRALIZED_SCRIPTS, NO_TAR_PACKAGE, RC_LOCAL, SSHD_LAB_CONFIG, imageSpec,
  neutralizeInitScript, renderNoTarControl, APT_DPKG_PATH_CONF, DPKG_TAR_DIR, type ImageSpec,
} from './image-prep.js';
import { DEFAULT_KIND, type HostKind } from './kinds.js';
import { withLock } from './lock.js';
import { debCacheDir, imagesDir } from './paths.js';

export interface ImageInfo {
  key: string;
  /** Unpacked root filesystem, used read-only as every host's overlay lower layer. */
  rootfs: string;
  tarball: string;
  /** What had to be done: nothing, unpack the cached tarball, or a full build. */
  action: 'reused' | 'unpacked' | 'built';
}

type Log = (message: string) => void;

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => undefined);

export async function machineMirror(): Promise<string> {
  const mirror = mirrorFromSources({ deb822: await readOptional(DEB822_SOURCES), oneLine: await readOptional(ONE_LINE_SOURCES) });
  if (!mirror) {
    throw new LabError('build image', `no Debian mirror configured in ${DEB822_SOURCES} or ${ONE_LINE_SOURCES}`);
  }
  return mirror;
}

export function imagePaths(key: string) {
  const dir = imagesDir();
  return {
    key,
    rootfs: join(dir, key),
    tarball: join(dir, `${key}.tar.zst`),
    work: join(dir, `${key}.tmp`),
    debootstrapped: join(dir, `${key}.tmp.debootstrapped`),
    lock: join(dir, `${key}.lock`),
  };
}

/** The image of a host kind (its init and image choice; the firewall is set per host). */
export async function ensureImage(log: Log = () => {}, kind: Pick<HostKind, 'init' | 'image'> = DEFAULT_KIND): Promise<ImageInfo> {
  const spec = imageSpec(kind);
  const p = imagePaths(spec.key);
  if (existsSync(p.rootfs)) return { key: p.key, rootfs: p.rootfs, tarball: p.tarball, action: 'reused' };
  return withLock(p.lock, `image ${p.key}`, 30 * 60_000, async () => {
    if (existsSync(p.rootfs)) return { key: p.key, rootfs: p.rootfs, tarball: p.tarball, action: 'reused' as const };
    let action: ImageInfo['action'] = 'unpacked';
    if (!existsSync(p.tarball)) {
      await buildTarball(p, spec, log);
      action = 'built';
    } else {
      log(`unpacking cached image ${p.tarball}`);
      await unpack(p.tarball, p.rootfs);
    }
    return { key: p.key, rootfs: p.rootfs, tarball: p.tarball, action };
  });
}

async function unpack(tarball: string, target: string): Promise<void> {
  const tmp = `${target}.unpack.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await run(['tar', '--numeric-owner', '--xattrs', "--xattrs-include=*", '-I', 'zstd -d -T0', '-xpf', tarball, '-C', tmp], {
    step: `unpack image ${tarball}`,
  });
  await rename(tmp, target);
}

async function buildTarball(p: ReturnType<typeof imagePaths>, spec: ImageSpec, log: Log): Promise<void> {
  await mkdir(debCacheDir(), { recursive: true });
  // A debootstrap that completed earlier for the same key is resumed at preparation.
  if (!existsSync(p.debootstrapped)) {
    await rm(p.work, { recursive: true, force: true });
    const mirror = await machineMirror();
    log(`debootstrap ${IMAGE_RELEASE} for ${spec.key} (${IMAGE_VARIANT}, ${spec.packages.length} extra packages) from ${mirror}; this takes minutes`);
    await run(
      ['debootstrap', `--variant=${IMAGE_VARIANT}`, `--include=${spec.packages.join(',')}`, `--cache-dir=${debCacheDir()}`,
        IMAGE_RELEASE, p.work, mirror],
      { step: 'build image: debootstrap', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
    );
    await writeFile(p.debootstrapped, p.key);
  }
  log('preparing image for lab hosts');
  await prepareRootfs(p.work, spec);
  log(`packing ${p.tarball}`);
  const tmpTar = `${p.tarball}.tmp`;
  await run(['tar', '--numeric-owner', '--xattrs', "--xattrs-include=*", '-I', 'zstd -T0 -3', '-C', p.work, '-cf', tmpTar, '.'], {
    step: 'build image: pack tarball',
  });
  await rename(tmpTar, p.tarball);
  await rm(p.rootfs, { recursive: true, force: true });
  await rename(p.work, p.rootfs);
  await unlink(p.debootstrapped).catch(() => {});
}

async function writeRootFile(rootfs: string, path: string, content: string, mode = 0o644): Promise<void> {
  const full = join(rootfs, path);
  await writeFile(full, content);
  await chmod(full, mode);
}

async function emptyDir(dir: string, keep: (name: string) => boolean = () => false): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!keep(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

/** Preparation for lab life; idempotent, so a resumed build can run it again. */
export async function prepareRootfs(rootfs: string, spec: ImageSpec = imageSpec(DEFAULT_KIND)): Promise<void> {
  if (spec.init === 'sysvinit') await prepareSysvinit(rootfs);
  else await prepareSystemd(rootfs);
  // Each host gets its own host key, written by the lab.
  for (const name of await readdir(join(rootfs, 'etc/ssh'))) {
    if (name.startsWith('ssh_host_')) await unlink(join(rootfs, 'etc/ssh', name));
  }
  await writeRootFile(rootfs, 'etc/ssh/sshd_config.d/haweb-lab.conf', SSHD_LAB_CONFIG);
  // Hosts are offline: no apt sources, no package lists or downloaded packages, no resolver.
  await writeRootFile(rootfs, 'etc/apt/sources.list', '');
  await emptyDir(join(rootfs, 'etc/apt/sources.list.d'));
  await emptyDir(join(rootfs, 'var/lib/apt/lists'), (n) => n === 'partial' || n === 'lock');
  await emptyDir(join(rootfs, 'var/cache/apt/archives'), (n) => n === 'partial' || n === 'lock');
  await writeRootFile(rootfs, 'etc/resolv.conf', '');
  await writeRootFile(rootfs, 'etc/machine-id', '');
  await writeRootFile(rootfs, 'etc/hostname', 'localhost\n');
  await writeRootFile(rootfs, 'etc/fstab', '# haweb lab host: the root overlay is mounted before init runs\n');
  await writeRootFile(rootfs, 'etc/rc.local', RC_LOCAL, 0o755);
  if (spec.withoutTar) await removeTar(rootfs);
  const st = await lstat(join(rootfs, 'sbin/init'));
  if (!st.isFile() && !st.isSymbolicLink()) throw new LabError('build image: prepare', `the image has no /sbin/init (${spec.init} missing?)`);
}

async function prepareSysvinit(rootfs: string): Promise<void> {
  await writeRootFile(rootfs, 'etc/inittab', INITTAB);
  for (const script of NEUTRALIZED_SCRIPTS) {
    const path = join(rootfs, 'etc/init.d', script);
    const original = await readOptional(path);
    if (original === undefined || original.includes('Disabled for haweb lab hosts')) continue;
    await writeFile(path, neutralizeInitScript(original, script));
    await chmod(path, 0o755);
  }
}

async function symlinkFresh(target: string, path: string): Promise<void> {
  await rm(path, { force: true });
  await mkdir(dirname(path), { recursive: true });
  await symlink(target, path);
}

async function prepareSystemd(rootfs: string): Promise<void> {
  await mkdir(join(rootfs, dirname(BOOT_REPORT_SCRIPT_PATH)), { recursive: true });
  await writeRootFile(rootfs, BOOT_REPORT_SCRIPT_PATH, BOOT_REPORT_SCRIPT, 0o755);
  await writeRootFile(rootfs, `etc/systemd/system/${BOOT_REPORT_UNIT_NAME}`, BOOT_REPORT_UNIT);
  await symlinkFresh(`/etc/systemd/system/${BOOT_REPORT_UNIT_NAME}`, join(rootfs, 'etc/systemd/system/multi-user.target.wants', BOOT_REPORT_UNIT_NAME));
  for (const unit of MASKED_UNITS) await symlinkFresh('/dev/null', join(rootfs, 'etc/systemd/system', unit));
  // firewalld's package enables it; the lab enables it per host, only for the firewalld kind.
  for (const [link] of FIREWALLD_ENABLE_LINKS) await rm(join(rootfs, link), { force: true });
}

/**
 * EL minimal installs have no tar, and rpm does not need one. In Debian tar is Essential: dpkg depends on
 * it and dpkg-deb runs it to read a package's control archive. So: a copy of tar goes where only apt's
 * dpkg runs look (DPkg::Path), a placeholder package that provides tar keeps dpkg's dependency satisfied,
 * and tar is purged. Users and the provisioner find no tar on PATH and no tar package; `apt-get install
 * tar` installs the real one (the placeholder provides, it does not conflict). A hand-run `dpkg -i` has
 * no tar, as the package manager of a real minimal host has none to offer either.
 */
async function removeTar(rootfs: string): Promise<void> {
  const installed = await run(['chroot', rootfs, 'dpkg-query', '-W', '-f', '${Status} ${Version}', 'tar'], { step: 'build image: read tar version', allowFailure: true });
  if (!installed.stdout.startsWith('install ok installed')) return;
  const version = installed.stdout.trim().split(' ').at(-1)!;
  const build = join(rootfs, 'tmp', NO_TAR_PACKAGE);
  await rm(build, { recursive: true, force: true });
  await mkdir(join(build, 'DEBIAN'), { recursive: true });
  await writeFile(join(build, 'DEBIAN/control'), renderNoTarControl(version));
  await run(['dpkg-deb', '--root-owner-group', '--build', build, `${build}.deb`], { step: 'build image: placeholder for tar' });
  await run(['chroot', rootfs, 'dpkg', '-i', `/tmp/${NO_TAR_PACKAGE}.deb`], { step: 'build image: install placeholder for tar' });
  await mkdir(join(rootfs, DPKG_TAR_DIR), { recursive: true });
  await copyFile(join(rootfs, 'usr/bin/tar'), join(rootfs, DPKG_TAR_DIR, 'tar'));
  await chmod(join(rootfs, DPKG_TAR_DIR, 'tar'), 0o755);
  await writeRootFile(rootfs, 'etc/apt/apt.conf.d/50haweb-lab-no-tar', APT_DPKG_PATH_CONF);
  await run(['chroot', rootfs, 'dpkg', '--purge', '--force-remove-essential', 'tar'], { step: 'build image: remove tar' });
  await rm(build, { recursive: true, force: true });
  await rm(`${build}.deb`, { force: true });
}

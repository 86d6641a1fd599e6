import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Which Node runtime a host gets: the controller's own binary when the host can run it (same
 * architecture, glibc at least as new as the newest GLIBC_x.y symbol version the binary needs),
 * otherwise the Node tarball the playbook names, otherwise a clear error saying what is needed.
 */

/** `uname -m` names (Ansible's ansible_architecture) for Node's process.arch values. */
const UNAME_FOR_NODE_ARCH: Record<string, string[]> = {
  x64: ['x86_64', 'amd64'],
  arm64: ['aarch64', 'arm64'],
  arm: ['armv7l', 'armv6l', 'armhf'],
  ia32: ['i386', 'i686'],
  riscv64: ['riscv64'],
  ppc64: ['ppc64le', 'ppc64'],
  s390x: ['s390x'],
};

export function nodeArchForUname(uname: string): string | undefined {
  return Object.entries(UNAME_FOR_NODE_ARCH).find(([, names]) => names.includes(uname))?.[0];
}

export interface HostLibc {
  /** 'glibc', 'musl' or 'unknown'. */
  name: string;
  version?: string;
}

/**
 * The host's C library, from the fact (a string like "glibc 2.36", or {name, version}), or from
 * `getconf GNU_LIBC_VERSION` / `ldd --version` output.
 */
export function parseLibc(value: unknown): HostLibc | undefined {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const name = String(o.name ?? o.implementation ?? '').toLowerCase();
    const version = o.version === undefined ? undefined : String(o.version);
    if (name) return { name: name.includes('musl') ? 'musl' : name.includes('glibc') || name.includes('gnu') ? 'glibc' : name, version };
  }
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const text = value.trim();
  if (/musl/i.test(text)) return { name: 'musl', version: /(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] };
  const m = /(?:glibc|GNU libc|GLIBC|libc)\D*?(\d+\.\d+)/i.exec(text) ?? /^(\d+\.\d+)$/.exec(text);
  if (m) return { name: 'glibc', version: m[1] };
  return { name: 'unknown' };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const requiredGlibcCache = new Map<string, string | undefined>();

/** The newest GLIBC_x.y symbol version a binary references (undefined for a static/musl binary). */
export async function requiredGlibc(binary: string): Promise<string | undefined> {
  const key = `${binary}:${statSync(binary).mtimeMs}`;
  if (requiredGlibcCache.has(key)) return requiredGlibcCache.get(key);
  let newest: string | undefined;
  let carry = '';
  await new Promise<void>((resolve, reject) => {
    createReadStream(binary)
      .on('data', (chunk) => {
        const text = carry + (chunk as Buffer).toString('latin1');
        for (const m of text.matchAll(/GLIBC_(\d+\.\d+(?:\.\d+)?)/g)) {
          if (!newest || compareVersions(m[1], newest) > 0) newest = m[1];
        }
        carry = text.slice(-32);
      })
      .on('end', () => resolve())
      .on('error', reject);
  });
  requiredGlibcCache.set(key, newest);
  return newest;
}

export interface NodeChoiceInput {
  hostName: string;
  /** `uname -m` of the host. */
  hostArch: string;
  hostLibc: HostLibc | undefined;
  controllerArch: string;
  /** GLIBC version the controller's node needs (undefined: none found). */
  controllerNeedsGlibc: string | undefined;
  controllerNode: string;
  controllerNodeVersion: string;
  nodeTarball?: string;
}

export type NodeChoice =
  | { kind: 'controller'; path: string; identity: string }
  | { kind: 'tarball'; path: string; identity: string }
  | { kind: 'error'; message: string };

/** Pure: decide which Node the host gets, or say exactly why none fits. */
export function chooseNodeRuntime(input: NodeChoiceInput): NodeChoice {
  const hostNodeArch = nodeArchForUname(input.hostArch);
  const reasons: string[] = [];
  if (hostNodeArch !== input.controllerArch) {
    reasons.push(`the host is ${input.hostArch} and the controller's node is linux-${input.controllerArch}`);
  }
  if (!input.hostLibc || input.hostLibc.name !== 'glibc') {
    reasons.push(`the host's C library is ${input.hostLibc ? input.hostLibc.name : 'unknown'}, the controller's node needs glibc`);
  } else if (input.controllerNeedsGlibc && (!input.hostLibc.version || compareVersions(input.hostLibc.version, input.controllerNeedsGlibc) < 0)) {
    reasons.push(`the host has glibc ${input.hostLibc.version ?? '(unknown version)'} and the controller's node needs glibc ${input.controllerNeedsGlibc}`);
  }
  if (reasons.length === 0) {
    return { kind: 'controller', path: input.controllerNode, identity: `controller node ${input.controllerNodeVersion} linux-${input.controllerArch}` };
  }
  if (input.nodeTarball) {
    return { kind: 'tarball', path: input.nodeTarball, identity: `tarball ${basename(input.nodeTarball)}` };
  }
  return {
    kind: 'error',
    message:
      `${input.hostName}: cannot run the controller's Node here (${reasons.join('; ')}). ` +
      `Pass node_tarball: a Node >= 20 linux-${hostNodeArch ?? input.hostArch} tarball (e.g. node-v20.x-linux-${hostNodeArch ?? 'ARCH'}.tar.xz from nodejs.org) on the controller.`,
  };
}

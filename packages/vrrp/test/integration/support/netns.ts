/**
 * Throw-away network namespaces for raw-socket tests: two namespaces joined by a veth pair on
 * 203.0.113.0/24 (TEST-NET-3; this machine's own LAN is 192.0.2.0/24, so never that). Everything
 * created here is deleted by cleanup(), which the tests call in afterAll.
 */
import { execFileSync } from 'node:child_process';

export interface NetnsPair {
  a: { ns: string; ifname: string; address: string };
  b: { ns: string; ifname: string; address: string };
  prefixLength: number;
  cleanup(): void;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

export function createNetnsPair(tag: string): NetnsPair {
  const suffix = `${tag}${process.pid % 10000}`;
  const a = { ns: `vrA${suffix}`, ifname: `va${suffix}`.slice(0, 15), address: '203.0.113.1' };
  const b = { ns: `vrB${suffix}`, ifname: `vb${suffix}`.slice(0, 15), address: '203.0.113.2' };
  const cleanup = () => {
    for (const ns of [a.ns, b.ns]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  };
  cleanup();
  try {
    ip('netns', 'add', a.ns);
    ip('netns', 'add', b.ns);
    ip('link', 'add', a.ifname, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns);
    for (const side of [a, b]) {
      ip('-n', side.ns, 'addr', 'add', `${side.address}/24`, 'dev', side.ifname);
      ip('-n', side.ns, 'link', 'set', side.ifname, 'up');
      ip('-n', side.ns, 'link', 'set', 'lo', 'up');
    }
  } catch (error) {
    cleanup();
    throw error;
  }
  return { a, b, prefixLength: 24, cleanup };
}

import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingRunner, warmIpRunner } from '../../../src/os/command.js';

/**
 * A stand-in `ip` (a sh script, so no root and no real interface): it logs its argv and each batch
 * line, then answers as iproute2's `-force -batch` does: an error and "Command failed -:N" on stderr
 * for a failing line (one containing FAIL, or the marker's unknown device), and on to the next line.
 * `lingerS` keeps it alive after the end of its input, as a slow exit would.
 */
function fakeIp(options: { lingerS?: number; noBatch?: boolean } = {}): { path: string; log: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'warm-ip-'));
  const path = join(dir, 'ip');
  const logFile = join(dir, 'log');
  writeFileSync(
    path,
    options.noBatch
      ? `#!/bin/sh
echo "argv $*" >> ${logFile}
case "$*" in *-batch*) echo 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }' >&2; exit 1 ;; esac
exit 0
`
      : `#!/bin/sh
echo "argv $*" >> ${logFile}
n=0
while IFS= read -r line; do
  n=$((n + 1))
  echo "line $line" >> ${logFile}
  case $line in
    *FAIL*) echo "Error: ipv4: Address already assigned." >&2; echo "Command failed -:$n" >&2 ;;
    vrrpd-marker) echo 'Object "vrrpd-marker" is unknown, try "ip help".' >&2; echo "Command failed -:$n" >&2 ;;
  esac
done
sleep ${options.lingerS ?? 0}
exit 0
`,
  );
  chmodSync(path, 0o755);
  return { path, log: () => readFileSync(logFile, 'utf8').trim().split('\n') };
}

describe('warmIpRunner', () => {
  it('sends `ip -4 <words>` as one batch line to an ip started ahead, and starts the next spare', async () => {
    const ip = fakeIp();
    const fallback = recordingRunner(() => ({ code: 0, stdout: '', stderr: '' }));
    const run = warmIpRunner(ip.path, fallback);
    const result = await run(ip.path, ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1', 'label', 'eth1:vip']);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    await run(ip.path, ['-4', 'addr', 'del', '198.51.100.50/24', 'dev', 'eth1']);
    run.close();
    expect(fallback.calls).toEqual([]);
    const log = ip.log();
    expect(log.filter((l) => l.startsWith('line '))).toEqual([
      'line addr add 198.51.100.50/24 dev eth1 label eth1:vip', 'line vrrpd-marker',
      'line addr del 198.51.100.50/24 dev eth1', 'line vrrpd-marker',
    ]);
    expect(log.filter((l) => l.startsWith('argv ')).every((l) => l === 'argv -force -4 -batch -')).toBe(true);
  });

  it("returns ip's error as the answer (exit status and message, without batch mode's line counter)", async () => {
    const ip = fakeIp();
    const run = warmIpRunner(ip.path, recordingRunner(() => ({ code: 0, stdout: '', stderr: '' })));
    const result = await run(ip.path, ['-4', 'addr', 'add', 'FAIL/24', 'dev', 'eth1']);
    run.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: ipv4: Address already assigned.\n');
  });

  it('answers at the marker line, without waiting for ip to exit', async () => {
    const ip = fakeIp({ lingerS: 30 });
    const run = warmIpRunner(ip.path, recordingRunner(() => ({ code: 0, stdout: '', stderr: '' })));
    const started = Date.now();
    const ok = await run(ip.path, ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1']);
    const failed = await run(ip.path, ['-4', 'addr', 'add', 'FAIL/24', 'dev', 'eth1']);
    run.close();
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(failed).toEqual({ code: 1, stdout: '', stderr: 'Error: ipv4: Address already assigned.\n' });
    expect(Date.now() - started).toBeLessThan(10_000); // each spare lingers 30 s after its input ends
  });

  it('an ip without iproute2 batch mode: the command is asked again plainly, and no more spares', async () => {
    const ip = fakeIp({ noBatch: true });
    const fallback = recordingRunner(() => ({ code: 0, stdout: '', stderr: '' }));
    const run = warmIpRunner(ip.path, fallback);
    const args = ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1'];
    expect((await run(ip.path, args)).code).toBe(0);
    expect((await run(ip.path, args)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    run.close();
    expect(fallback.calls).toEqual([{ file: ip.path, args }, { file: ip.path, args }]);
    expect(ip.log().filter((l) => l.startsWith('argv '))).toHaveLength(1);
  });

  it.each([
    [['-4', 'route', 'add', 'default', 'via', '198.51.100.1']],
    [['-j', '-4', 'addr', 'show', 'dev', 'eth1']],
    [['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1', 'label', 'with space']],
    [['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1', 'label', 'a"b']],
    [['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1', 'label', 'x#y']],
  ])('leaves %j to the fallback (options or words batch parsing would split)', async (args) => {
    const ip = fakeIp();
    const fallback = recordingRunner(() => ({ code: 0, stdout: 'fallback', stderr: '' }));
    const run = warmIpRunner(ip.path, fallback);
    expect((await run(ip.path, args)).stdout).toBe('fallback');
    run.close();
    expect(fallback.calls).toEqual([{ file: ip.path, args }]);
  });

  it('a missing ip is an error, not an answer', async () => {
    const run = warmIpRunner('/nonexistent/ip', recordingRunner(() => ({ code: 0, stdout: '', stderr: '' })));
    await expect(run('/nonexistent/ip', ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1'])).rejects.toThrow(/ENOENT/);
    run.close();
  });
});

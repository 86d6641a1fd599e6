import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingRunner, warmIpRunner } from '../../../src/os/command.js';

/**
 * A stand-in `ip` (a sh script, so no root and no real interface): it logs its argv and each batch
 * line, then answers as iproute2 does: "File exists"-style errors for a line containing FAIL.
 */
function fakeIp(): { path: string; log: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'warm-ip-'));
  const path = join(dir, 'ip');
  const logFile = join(dir, 'log');
  writeFileSync(
    path,
    `#!/bin/sh
echo "argv $*" >> ${logFile}
n=0
while IFS= read -r line; do
  n=$((n + 1))
  echo "line $line" >> ${logFile}
  case $line in
    *FAIL*) echo "Error: ipv4: Address already assigned." >&2; echo "Command failed -:$n" >&2; exit 1 ;;
  esac
done
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
    expect(log.filter((l) => l.startsWith('line '))).toEqual(['line addr add 198.51.100.50/24 dev eth1 label eth1:vip', 'line addr del 198.51.100.50/24 dev eth1']);
    expect(log.filter((l) => l.startsWith('argv ')).every((l) => l === 'argv -4 -batch -')).toBe(true);
  });

  it("returns ip's error as the answer (exit status and message, without batch mode's line counter)", async () => {
    const ip = fakeIp();
    const run = warmIpRunner(ip.path, recordingRunner(() => ({ code: 0, stdout: '', stderr: '' })));
    const result = await run(ip.path, ['-4', 'addr', 'add', 'FAIL/24', 'dev', 'eth1']);
    run.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: ipv4: Address already assigned.\n');
  });

  it.each([
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

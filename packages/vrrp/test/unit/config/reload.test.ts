import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunnableConfig, reloadConfig, type VrrpConfig } from '../../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vrrpd-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const conf = (priority: string) => `vrrp_instance VI_1 {\n  interface eth1\n  virtual_router_id 51\n  priority ${priority}\n  virtual_ipaddress {\n    192.0.2.10/24\n  }\n}\n`;

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: { error: (m: string) => lines.push(`ERR ${m}`), warn: (m: string) => lines.push(`WARN ${m}`), info: (m: string) => lines.push(`INFO ${m}`) } };
}

describe('start and SIGHUP share the reader', () => {
  it('a bad edit followed by a reload keeps the running configuration and logs why', async () => {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, conf('150'));
    const { lines, log } = recordingLog();
    let running: VrrpConfig | undefined = readRunnableConfig(file, {}, log);
    expect(running!.instances[0].priority).toBe(150);

    // The edit an operator pastes from a web page: a non-breaking space, and a priority out of range.
    writeFileSync(file, conf('300').replace('  interface eth1', '  interface\u00a0eth1'));
    const applied = await reloadConfig(file, {}, log, async (next) => { running = next; });
    expect(applied).toBe(false);
    expect(running!.instances[0].priority).toBe(150);
    expect(lines).toEqual([
      `INFO Reloading configuration ${file}`,
      `WARN ${file}:2:12: warning: 'interface\u00a0eth1' contains U+00A0 (NO-BREAK SPACE), which keepalived reads as part of the word, not as a blank`,
      `WARN ${file}:2:3: warning: unknown keyword 'interface\u00a0eth1' at vrrp_instance VI_1; ignored`,
      `ERR ${file}:4:12: error: priority: 300 is out of range 1..255`,
      `ERR ${file}:1:1: error: (VI_1) no 'interface' given`,
      `ERR new configuration ${file} has errors (above); keeping the running one`,
    ]);

    writeFileSync(file, conf('120'));
    expect(await reloadConfig(file, {}, log, async (next) => { running = next; })).toBe(true);
    expect(running!.instances[0].priority).toBe(120);
  });
  it('a file that cannot be read is not applied', async () => {
    const { lines, log } = recordingLog();
    expect(await reloadConfig(join(dir, 'missing.conf'), {}, log, async () => { throw new Error('must not be called'); })).toBe(false);
    expect(lines.some((l) => l.includes('cannot read configuration'))).toBe(true);
  });
});

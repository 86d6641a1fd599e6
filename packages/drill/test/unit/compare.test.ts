import { describe, expect, it } from 'vitest';
import { comparisonTable } from '../../src/report.js';
import { startNginxScript, switchEngineScript } from '../../src/steps.js';
import type { DrillResult, LabeledOutage, StepResult } from '../../src/types.js';

const outage = (label: string, outageMs: number, failedRequests: number, requests: number): LabeledOutage =>
  ({ label, outageMs, failedRequests, requests, faultAt: 0, expectHost: 'h', noAnswerMs: 0 });
const stepOf = (step: number, title: string, outages: LabeledOutage[], ok = true): StepResult =>
  ({ step, title, ok, startedAt: 0, endedAt: 1, checks: ok ? [] : [{ what: 'VIP moves', ok: false, seen: 'never' }], outages });
const run = (engine: string, steps: StepResult[]): DrillResult =>
  ({ ok: steps.every((s) => s.ok), startedAt: 0, endedAt: 1, vip: 'v', port: 88, master: 'a', backup: 'b', engine, pages: {}, steps, events: [], samples: [], files: [] });

describe('comparisonTable', () => {
  it('puts each engine\'s outages and failed requests side by side, per step', () => {
    const text = comparisonTable([
      run('vrrpd', [stepOf(4, 'VRRP service stopped', [outage('failover', 751, 0, 60)]), stepOf(8, 'graceful reboot', [outage('failover', 908, 0, 70), outage('failback', 1900, 0, 110)])]),
      run('keepalived', [stepOf(4, 'VRRP service stopped', [outage('failover', 680, 45, 60)]), stepOf(8, 'graceful reboot', [], false)]),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^step +what +vrrpd outage +vrrpd failed +keepalived outage +keepalived failed$/);
    expect(lines[2]).toMatch(/^4 +VRRP service stopped +failover 0\.751 s +0\/60 +failover 0\.680 s +45\/60$/);
    expect(lines[3]).toMatch(/^8 +graceful reboot +failover 0\.908 s; failback 1\.900 s +0\/70 \+ 0\/110 +FAIL +VIP moves: never$/);
    expect(text).toContain('engines run one after the other: vrrpd, keepalived');
  });
});

describe('switchEngineScript', () => {
  it('stops and disables the others where installed, enables and starts the chosen one: systemctl under systemd, else update-rc.d', () => {
    expect(switchEngineScript('keepalived', ['vrrpd']).split('\n')).toEqual([
      'if [ -d /run/systemd/system ]; then',
      '  l=$(readlink /etc/systemd/system/vrrpd.service 2>/dev/null || true); systemctl disable --now vrrpd >/dev/null 2>&1 || true; ' +
        'if [ -n "$l" ] && [ ! -e /etc/systemd/system/vrrpd.service ]; then systemctl link "$l" >/dev/null 2>&1 || true; fi',
      '  systemctl enable keepalived >/dev/null 2>&1 || true',
      'else',
      '  if [ -x /etc/init.d/vrrpd ]; then service vrrpd stop >/dev/null 2>&1 || true; command -v update-rc.d >/dev/null && update-rc.d vrrpd disable >/dev/null 2>&1 || true; fi',
      '  command -v update-rc.d >/dev/null && update-rc.d keepalived enable >/dev/null 2>&1 || true',
      'fi',
      'service keepalived status >/dev/null 2>&1 || service keepalived start',
    ]);
  });
});

describe('startNginxScript', () => {
  it('starts a stopped nginx where the boot starts it: rc-local.service on systemd hosts whose rc.local runs it, else the binary', () => {
    const script = startNginxScript({ vip: '198.51.100.50', port: 88, master: 'a', backup: 'b', engine: 'vrrpd', nginxPrefix: '/usr/local/nginx', checkIntervalMs: 2000 });
    expect(script).toBe(
      'p=$(cat /usr/local/nginx/logs/nginx.pid 2>/dev/null || true); if [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; then ' +
        'if [ -d /run/systemd/system ] && systemctl -q is-active rc-local.service 2>/dev/null && grep -qsF /usr/local/nginx/sbin/nginx /etc/rc.local /etc/rc.d/rc.local; ' +
        'then systemctl restart rc-local.service; else /usr/local/nginx/sbin/nginx; fi; fi',
    );
  });
});

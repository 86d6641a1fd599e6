import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/drill.js';
import { escapeXml, hostColors, tickStep, timelineSvg } from '../../src/svg.js';
import type { DrillResult } from '../../src/types.js';
import { FakePair } from './fake-pair.js';

async function simulatedResult(): Promise<DrillResult> {
  const pair = new FakePair();
  return runDrill({
    layout: { vip: '198.51.100.50', port: 88, master: 'edu-proxy-01', backup: 'edu-proxy-02', engine: 'vrrpd', nginxPrefix: '/usr/local/nginx', checkIntervalMs: 2000 },
    hosts: pair.hostOps,
    client: pair.client,
    addresses: {},
    pages: { '1': 'edu-proxy-01', '2': 'edu-proxy-02' },
    startProbe: async () => pair.probe,
    clock: pair.clock,
    log: () => undefined,
    rerun: { title: 're-run <playbook> & "check"', run: async () => ({ ok: true, detail: 'changed=0' }) },
  });
}

/** Tags open and close in order (a small well-formedness check without an XML parser). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

describe('timelineSvg', () => {
  it('draws who answered, the faults, the repairs and every outage of a drill', async () => {
    const result = await simulatedResult();
    const svg = timelineSvg(result);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balanced(svg)).toBe(true);
    const colors = hostColors(result);
    // Bands in both hosts' colors and in red for failed requests.
    expect(svg).toContain(`fill="${colors.get('edu-proxy-01')}"><title>answered by edu-proxy-01`);
    expect(svg).toContain(`fill="${colors.get('edu-proxy-02')}"><title>answered by edu-proxy-02`);
    expect(svg).toMatch(/fill="#d62728"><title>no answer \((EHOSTUNREACH|ECONNREFUSED)/);
    // One row per step, each labeled, and every outage labeled with its seconds.
    for (const s of result.steps) expect(svg).toContain(`>${s.step}.</text>`);
    const outages = result.steps.flatMap((s) => s.outages);
    expect(outages.length).toBeGreaterThanOrEqual(6);
    for (const o of outages) expect(svg).toContain(escapeXml(`${o.label} ${(o.outageMs! / 1000).toFixed(3)} s → ${o.expectHost}, ${o.failedRequests} failed of ${o.requests}`));
    // Faults marked with their labels in the step rows.
    expect(svg).toContain('✖ service vrrpd stop on edu-proxy-01');
    expect(svg).toContain('✔ service vrrpd start on edu-proxy-01');
    expect(svg).toContain('edu-proxy-01 (master, page 1)');
    // The step title with markup-like characters is escaped.
    expect(svg).not.toContain('<playbook>');
  });

  it('says when steps failed and when an outage never ended', async () => {
    const result = await simulatedResult();
    result.ok = false;
    result.steps[3].ok = false;
    result.steps[3].outages[0] = { ...result.steps[3].outages[0], outageMs: undefined, firstReplyAt: undefined };
    const svg = timelineSvg(result);
    expect(svg).toContain('1 step(s) FAILED');
    expect(svg).toContain('failover: no reply from edu-proxy-02');
    expect(svg).toMatch(/font-weight="bold" fill="#c0392b"[^>]*>FAIL</);
    result.steps[3].checks.push({ what: 'VIP moves to <backup>', ok: false, seen: 'VIP on no proxy' });
    expect(timelineSvg(result)).toContain('FAIL: VIP moves to &lt;backup&gt;: VIP on no proxy');
  });

  it('is deterministic and escapes text', async () => {
    const result = await simulatedResult();
    expect(timelineSvg(result)).toBe(timelineSvg(result));
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });

  it.each([
    [800, 100],
    [3000, 500],
    [9000, 1000],
    [40_000, 5000],
    [180_000, 30_000],
  ])('picks readable ticks for a %i ms span', (span, step) => {
    expect(tickStep(span)).toBe(step);
  });
});

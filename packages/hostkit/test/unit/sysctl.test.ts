/** ansible.posix.sysctl as a plan: Ansible's change rules, its file rewrite, the steps. */
import { describe, expect, it } from 'vitest';
import { stepText } from '../../src/apply.js';
import { sysctlState } from '../../src/facts/sysctl.js';
import { sameSysctlValue, sysctlFileContent, sysctlPlan, sysctlValue, type SysctlArgs, type SysctlFacts } from '../../src/plans/sysctl.js';

const ARGS: SysctlArgs = { name: 'net.ipv4.ip_forward', value: '1', state: 'present', reload: true, sysctlSet: false, ignoreErrors: false, file: '/etc/sysctl.d/90-x.conf' };
const F = '/etc/sysctl.d/90-x.conf';

describe('sysctlValue and sameSysctlValue', () => {
  it.each<[SysctlArgs['value'], string]>([[true, '1'], [false, '0'], ['yes', '1'], ['off', '0'], [' 4096 87380 ', '4096 87380'], [1, '1'], [undefined, '']])('%j -> %j', (v, out) => expect(sysctlValue(v)).toBe(out));
  it('compares word by word', () => {
    expect(sameSysctlValue('4096\t87380', '4096 87380')).toBe(true);
    expect(sameSysctlValue('1', '0')).toBe(false);
    expect(sameSysctlValue(undefined, '1')).toBe(false);
  });
});

describe('sysctlFileContent (Ansible rewrites every key=value line)', () => {
  it.each<[string, string | undefined, string, string, 'present' | 'absent', string]>([
    ['added to a missing file', undefined, 'a.b', '1', 'present', 'a.b=1\n'],
    ['replaced in place, others normalised', '# c\nx.y = 2\na.b = 0\n; z\n', 'a.b', '1', 'present', '# c\nx.y=2\na.b=1\n; z\n'],
    ['later duplicates dropped', 'a.b=0\na.b=5\n', 'a.b', '1', 'present', 'a.b=1\n'],
    ['removed', 'a.b=0\nx.y=1\n', 'a.b', '', 'absent', 'x.y=1\n'],
    ['blank lines and comments kept, stripped', '  # c  \n\n', 'a.b', '1', 'present', '# c\n\na.b=1\n'],
  ])('%s', (_why, content, name, value, state, out) => expect(sysctlFileContent(content, name, value, state)).toBe(out));
});

describe('sysctlPlan', () => {
  it.each<[string, Partial<SysctlArgs>, SysctlFacts, boolean, string[]]>([
    ['a new key: written and reloaded', {}, { running: '0' }, true, [`write ${F} 0644`, `sysctl -p ${F}`]],
    ['in the file and running: nothing', {}, { running: '1', content: 'net.ipv4.ip_forward=1\n', mode: 0o600 }, false, []],
    ['in the file, not running: reload only', {}, { running: '0', content: 'net.ipv4.ip_forward=1\n' }, true, [`sysctl -p ${F}`]],
    ['in the file, not running, reload off: nothing', { reload: false }, { running: '0', content: 'net.ipv4.ip_forward=1\n' }, false, []],
    ['a different value: rewritten keeping the mode', {}, { running: '1', content: 'net.ipv4.ip_forward=0\n', mode: 0o600 }, true, [`write ${F} 0600`, `sysctl -p ${F}`]],
    ['sysctl_set: the running kernel first', { sysctlSet: true, reload: false }, { running: '0' }, true, ['sysctl -w net.ipv4.ip_forward=1', `write ${F} 0644`]],
    ['sysctl_set with ignoreerrors', { sysctlSet: true, ignoreErrors: true, reload: false }, { running: '0', content: 'net.ipv4.ip_forward=1\n' }, true, ['sysctl -e -w net.ipv4.ip_forward=1']],
    ['sysctl_set on a key the kernel lacks: changed, not set', { sysctlSet: true, reload: false }, { content: 'net.ipv4.ip_forward=1\n' }, true, []],
    ['absent and not in the file: nothing', { state: 'absent', value: undefined }, { running: '1' }, false, []],
    ['absent: removed and reloaded', { state: 'absent', value: undefined }, { running: '1', content: 'net.ipv4.ip_forward=1\n' }, true, [`write ${F} 0644`, `sysctl -p ${F}`]],
    ['boolean value', { value: true }, { running: '1', content: 'net.ipv4.ip_forward=1\n' }, false, []],
  ])('%s', (_why, over, facts, changed, steps) => {
    const plan = sysctlPlan({ ...ARGS, ...over }, facts);
    expect({ changed: plan.changed, steps: plan.steps.map(stepText) }).toEqual({ changed, steps });
  });
});

describe('sysctlState.parse', () => {
  it('running value, mode and content; an unknown key has no running value', () => {
    expect(sysctlState.parse('@@haweb-sysctl@@running\n4096\t87380\n@@haweb-sysctl@@mode\n644\n@@haweb-sysctl@@content\na=1\n', 0, { name: 'x', file: F })).toEqual({ running: '4096\t87380', mode: 0o644, content: 'a=1\n' });
    expect(sysctlState.parse('', 0, { name: 'x', file: F })).toEqual({ running: undefined, mode: undefined, content: undefined });
  });
});

/** The systemd module's pure parts: systemctl show's parser, the facts parser, and the plan. */
import { describe, expect, it } from 'vitest';
import { parseSystemctlShow, planSystemdUnit, stepText, systemdUnitFacts, type SystemdArgs, type SystemdUnitFacts } from '../../src/index.js';

describe('parseSystemctlShow', () => {
  it('reads key=value lines and multi-line braces', () => {
    const text = ['Id=nginx.service', 'ExecStart={ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx', '  -g daemon off; }', 'ActiveState=active', 'Description=A=B', ''].join('\n');
    expect(parseSystemctlShow(text)).toEqual({
      Id: 'nginx.service',
      ExecStart: '{ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx\n  -g daemon off; }',
      ActiveState: 'active',
      Description: 'A=B',
    });
  });
});

describe('systemdUnitFacts parser', () => {
  it.each([
    [
      'a loaded, enabled unit on a systemd host',
      '@booted=yes\n@pid1=systemd\n@show\nLoadState=loaded\nActiveState=active\n@show_rc=0\n@is_enabled\nenabled\n@is_enabled_rc=0\n',
      { booted: true, pid1: 'systemd', show: { LoadState: 'loaded', ActiveState: 'active' }, showExit: 0, isEnabled: 'enabled', isEnabledExit: 0, initScript: false, initScriptEnabled: false },
    ],
    ['a sysvinit host', '@booted=no\n@pid1=init\n', { booted: false, pid1: 'init', show: {}, showExit: -1, isEnabled: '', isEnabledExit: -1, initScript: false, initScriptEnabled: false }],
    [
      'an init script only',
      '@booted=yes\n@pid1=systemd\n@show\nLoadState=not-found\n@show_rc=0\n@is_enabled\n@is_enabled_rc=1\n@initd=yes\n@initd_enabled=yes\n',
      { booted: true, pid1: 'systemd', show: { LoadState: 'not-found' }, showExit: 0, isEnabled: '', isEnabledExit: 1, initScript: true, initScriptEnabled: true },
    ],
    [
      'systemd offline',
      '@booted=yes\n@pid1=systemd\n@show\n@show_rc=1\n@is_enabled\nenabled\n@is_enabled_rc=0\n@offline=yes\n',
      { booted: true, pid1: 'systemd', show: {}, showExit: 1, isEnabled: 'enabled', isEnabledExit: 0, initScript: false, initScriptEnabled: false, offline: true },
    ],
  ])('%s', (_, out, want) => expect(systemdUnitFacts.parse(out, 0, { name: 'x' })).toEqual(want));
});

const unit = (over: Partial<SystemdUnitFacts> = {}, show: Record<string, string> = {}): SystemdUnitFacts => ({
  booted: true, pid1: 'systemd', showExit: 0, isEnabled: 'disabled', isEnabledExit: 1, initScript: false, initScriptEnabled: false,
  ...over, show: { LoadState: 'loaded', ActiveState: 'inactive', ...show },
});
const running = unit({ isEnabled: 'enabled', isEnabledExit: 0 }, { ActiveState: 'active' });
const missing = unit({ isEnabled: '', isEnabledExit: 1 }, { LoadState: 'not-found', ActiveState: 'inactive' });

describe('planSystemdUnit', () => {
  it.each<[string, SystemdUnitFacts, Omit<SystemdArgs, 'name'>, string[], Partial<ReturnType<typeof planSystemdUnit>>]>([
    ['start and enable a stopped, disabled unit', unit(), { state: 'started', enabled: true }, ['systemctl enable app', 'systemctl start app'], { enabled: true, state: 'started' }],
    ['already started and enabled', running, { state: 'started', enabled: true }, [], { enabled: true, state: 'started' }],
    ['activating counts as running', unit({}, { ActiveState: 'activating' }), { state: 'started' }, [], { state: 'started' }],
    ['stop a running unit', running, { state: 'stopped' }, ['systemctl stop app'], { state: 'stopped' }],
    ['stop a deactivating unit', unit({}, { ActiveState: 'deactivating' }), { state: 'stopped' }, ['systemctl stop app'], { state: 'stopped' }],
    ['restart a running unit', running, { state: 'restarted' }, ['systemctl restart app'], { state: 'started' }],
    ['reload a stopped unit starts it', unit(), { state: 'reloaded' }, ['systemctl start app'], { state: 'started' }],
    ['indirect is not enabled', unit({ isEnabled: 'indirect', isEnabledExit: 0 }), { enabled: true }, ['systemctl enable app'], { enabled: true }],
    ['static is enabled', unit({ isEnabled: 'static', isEnabledExit: 0 }), { enabled: true }, [], { enabled: true }],
    ['an init script with S links is enabled', unit({ isEnabled: '', isEnabledExit: 1, initScript: true, initScriptEnabled: true }, { LoadState: 'not-found' }), { enabled: true }, [], { enabled: true }],
    ['mask', unit(), { masked: true }, ['systemctl mask app'], {}],
    ['unmask', unit({ isEnabled: 'masked' }), { masked: false }, ['systemctl unmask app'], {}],
    ['flags go before the verb', unit(), { state: 'started', flags: ['--user', '--no-block'] }, ['systemctl --user --no-block start app'], { state: 'started' }],
    ['a missing unit fails', missing, { state: 'started' }, [], { failure: 'Could not find the requested service app: host' }],
    ['a missing unit cannot be enabled', missing, { enabled: false }, [], { failure: 'Could not find the requested service app: host' }],
    // systemctl show ignored (SYSTEMD_OFFLINE=1 or a chroot): Ansible warns and reports the wanted state
    ['offline: no state, a warning', { ...unit({ isEnabled: 'enabled', isEnabledExit: 0, offline: true }), show: {}, showExit: 1 }, { state: 'started' }, [], { state: 'started', warning: 'Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working.' }],
    ['no state otherwise fails', { ...unit({ isEnabled: 'enabled', isEnabledExit: 0 }), show: {}, showExit: 1 }, { state: 'started' }, [], { failure: 'Service is in unknown state' }],
  ])('%s', (_, facts, args, steps, reported) => {
    const plan = planSystemdUnit(facts, { name: 'app', ...args });
    expect(plan.steps.map(stepText)).toEqual(steps);
    expect(plan).toMatchObject(reported);
  });
});

import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseLabArgs } from '../../src/args.js';
import { DEFAULT_LAB_NAME } from '../../src/plan.js';

describe('parseLabArgs', () => {
  it.each([
    [['up'], { command: 'up', name: DEFAULT_LAB_NAME, hosts: undefined, subnet: undefined }],
    [['up', '--hosts', '20'], { command: 'up', name: DEFAULT_LAB_NAME, hosts: 20, subnet: undefined }],
    [['up', '--name', 'labtest', '--subnet', '203.0.113.0/24'], { command: 'up', name: 'labtest', hosts: undefined, subnet: '203.0.113.0/24' }],
    [['down'], { command: 'down', name: DEFAULT_LAB_NAME }],
    [['down', '--name', 'labtest'], { command: 'down', name: 'labtest' }],
    [['status', '--json'], { command: 'status', name: DEFAULT_LAB_NAME, json: true }],
    [['status'], { command: 'status', name: DEFAULT_LAB_NAME, json: false }],
    [['reboot', 'edu-proxy-02'], { command: 'reboot', name: DEFAULT_LAB_NAME, host: 'edu-proxy-02' }],
    [['exec', 'edu-proxy-01', '--', 'ip', '-br', 'addr'], { command: 'exec', name: DEFAULT_LAB_NAME, host: 'edu-proxy-01', argv: ['ip', '-br', 'addr'] }],
    [['exec', '--name', 'labtest', 'client', '--', 'curl', '-s', '--max-time', '2', 'http://203.0.113.50/'],
      { command: 'exec', name: 'labtest', host: 'client', argv: ['curl', '-s', '--max-time', '2', 'http://203.0.113.50/'] }],
    [['exec', 'edu-proxy-01', 'hostname'], { command: 'exec', name: DEFAULT_LAB_NAME, host: 'edu-proxy-01', argv: ['hostname'] }],
    [['sources'], { command: 'sources' }],
  ])('%j', (argv, expected) => {
    expect(parseLabArgs(argv)).toEqual(expected);
  });

  it('passes options after the command through to it', () => {
    expect(parseLabArgs(['exec', 'edu-proxy-01', '--', 'ls', '--name', '-la'])).toMatchObject({ argv: ['ls', '--name', '-la'] });
  });

  it.each([
    [['up', '--hosts', '0'], /expected a number 1\.\.99/],
    [['up', '--hosts', 'two'], /expected a number/],
    [['up', '--subnet', '192.0.2.0/24'], /machine's own network/],
    [['up', '--name', 'Bad-Name'], /invalid lab name/],
    [['reboot'], /missing required argument/],
    [['frobnicate'], /unknown command/],
  ])('rejects %j', (argv, message) => {
    let error: unknown;
    try {
      parseLabArgs(argv);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as Error).message).toMatch(message);
  });

  it('shows help without a command', () => {
    const result = parseLabArgs([]);
    expect(result.command).toBe('help');
    expect(result.command === 'help' && result.text).toMatch(/up.*down.*status/s);
  });
});

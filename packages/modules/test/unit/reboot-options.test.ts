/** reboot's delays as Ansible's action reads them (int() of the value, negative is 0). */
import { describe, expect, it } from 'vitest';
import { rebootModule } from '../../src/index.js';
import { rebootDelay } from '../../src/modules/reboot.js';

describe('reboot delays', () => {
  it.each([
    [61, 61],
    [-61, 0],
    [-0.5, 0],
    [1.9, 1],
    ['30', 30],
    ['-5', 0],
  ])('%j is %d', (given, seconds) => expect(rebootDelay.parse(given)).toBe(seconds));
  it.each([['1.5'], ['soon']])('%j is refused (int() of it fails in Ansible)', (given) => expect(rebootDelay.safeParse(given).success).toBe(false));
  it('the module takes negative delays (Ansible\'s target: "Test with negative values for delays")', () =>
    expect(rebootModule.args.safeParse({ post_reboot_delay: -0.5, pre_reboot_delay: -61 }).data).toMatchObject({ post_reboot_delay: 0, pre_reboot_delay: 0 }));
});

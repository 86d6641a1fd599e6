import { describe, expect, it } from 'vitest';
import { changedCounts, commandRerunHook, parseSteps } from '../../src/cli.js';

describe('drill CLI helpers', () => {
  it('parses step lists with ranges', () => {
    expect(parseSteps('1,2,4-6')).toEqual([1, 2, 4, 5, 6]);
    expect(parseSteps('3, 1 ,3')).toEqual([1, 3]);
    expect(() => parseSteps('1,x')).toThrow(/bad step list/);
  });

  it('reads changed= counts from a recap', () => {
    expect(changedCounts('PLAY RECAP\nedu-proxy-01 : ok=12 changed=0 failed=0\nedu-proxy-02 : ok=12 changed=3 failed=0\n')).toEqual([0, 3]);
    expect(changedCounts('nothing here')).toBeUndefined();
    expect(changedCounts('edu-proxy-01 : ok=12 \x1b[33mchanged=\x1b[1m2\x1b[0m failed=0')).toEqual([2]);
  });

  it.each([
    ["echo 'a : ok=3 changed=0'; echo 'b : ok=3 changed=0'", true, /exit 0, changed=0\/0/],
    ["echo 'a : ok=3 changed=1'", false, /exit 0, changed=1/],
    ["echo 'a : changed=0'; exit 3", false, /exit 3/],
    ['true', true, /exit 0, no changed= recap/],
  ])('step 7 from a command: %s', async (command, ok, detail) => {
    const lines: string[] = [];
    const r = await commandRerunHook(command, (l) => lines.push(l)).run();
    expect(r.ok).toBe(ok);
    expect(r.detail).toMatch(detail);
    if (command.startsWith('echo')) expect(lines[0]).toMatch(/^ {4}\| a : /);
  });
});

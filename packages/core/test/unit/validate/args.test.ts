import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { argsFromString, schemaKeys } from '../../../src/validate/args.js';

const command = { freeFormKey: 'cmd', args: z.strictObject({ cmd: z.string(), chdir: z.string().optional(), creates: z.string().optional() }) };
const debug = { freeFormKey: 'msg', args: z.strictObject({ msg: z.unknown().optional(), var: z.string().optional() }) };
const service = { args: z.strictObject({ name: z.string(), state: z.string().optional() }) };

describe('arguments written as one string', () => {
  it.each<[string, typeof command | typeof debug | typeof service, unknown]>([
    ['ls -l /tmp', command, { cmd: 'ls -l /tmp' }],
    ['make install chdir=/src creates=/usr/bin/x', command, { cmd: 'make install', chdir: '/src', creates: '/usr/bin/x' }],
    ['chdir="/a b" ./configure --prefix=/opt', command, { cmd: './configure --prefix=/opt', chdir: '/a b' }],
    ['echo a=b', command, { cmd: 'echo a=b' }],
    ['echo "creates=x"', command, { cmd: 'echo "creates=x"' }],
    ['msg="hello world"', debug, { msg: 'hello world' }],
    ['var=result', debug, { var: 'result' }],
    ['hello world', debug, { msg: 'hello world' }],
    ['x=1', debug, { msg: 'x=1' }],
    ['name=nginx state=started', service, { name: 'nginx', state: 'started' }],
    ['name={{ svc }} state=restarted', service, { name: '{{ svc }}', state: 'restarted' }],
  ])('%s', (text, def, expected) => {
    expect(argsFromString(text, def)).toEqual({ args: expected });
  });

  it('requires key=value for modules without a free-form argument', () => {
    expect(argsFromString('nginx restarted', service)).toEqual({ error: "takes key=value arguments or a mapping, not free text ('nginx')" });
  });

  it('finds argument names through zod wrappers', () => {
    expect(schemaKeys(z.strictObject({ a: z.string() }).refine(() => true))).toEqual(['a']);
    expect(schemaKeys(z.union([z.strictObject({ a: z.string() }), z.strictObject({ b: z.string() })]))).toEqual(['a', 'b']);
    expect(schemaKeys(z.strictObject({ a: z.string() }).transform((x) => x))).toEqual(['a']);
  });
});

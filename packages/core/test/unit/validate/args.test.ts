import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { argsFromString, schemaKeys } from '../../../src/validate/args.js';

const command = { name: 'command', aliases: ['ansible.builtin.command'], freeFormKey: 'cmd', args: z.strictObject({ cmd: z.string(), chdir: z.string().optional(), creates: z.string().optional() }) };
const debug = { name: 'debug', aliases: ['ansible.builtin.debug'], freeFormKey: 'msg', args: z.strictObject({ msg: z.unknown().optional(), var: z.string().optional() }) };
const service = { name: 'service', aliases: ['ansible.builtin.service'], args: z.strictObject({ name: z.string(), state: z.string().optional() }) };

describe('arguments written as one string', () => {
  it.each<[string, typeof command | typeof debug | typeof service, unknown]>([
    ['ls -l /tmp', command, { cmd: 'ls -l /tmp' }],
    ['make install chdir=/src creates=/usr/bin/x', command, { cmd: 'make install', chdir: '/src', creates: '/usr/bin/x' }],
    ['chdir="/a b" ./configure --prefix=/opt', command, { cmd: './configure --prefix=/opt', chdir: '/a b' }],
    ['echo a=b', command, { cmd: 'echo a=b' }],
    ['echo "creates=x"', command, { cmd: 'echo "creates=x"' }],
    ['msg="hello world"', debug, { msg: 'hello world' }],
    ['var=result', debug, { var: 'result' }],
    ['x=1', debug, { x: '1' }],
    ['rm -f /etc/x removes=/etc/x', command, { cmd: 'rm -f /etc/x', removes: '/etc/x' }],
    ['echo "a  b" >{{ out }}', command, { cmd: 'echo "a  b" >{{ out }}' }],
    ['update_cache=yes cache_valid_time=3600', service, { update_cache: 'yes', cache_valid_time: '3600' }],
    ['name=nginx state=started', service, { name: 'nginx', state: 'started' }],
    ['name={{ svc }} state=restarted', service, { name: '{{ svc }}', state: 'restarted' }],
  ])('%s', (text, def, expected) => {
    expect(argsFromString(text, def)).toEqual({ args: expected });
  });

  it('refuses free text beside key=value for Ansible modules that take none (Ansible: "extra params")', () => {
    expect(argsFromString('nginx restarted', service)).toEqual({ error: "takes key=value arguments or a mapping, not free text ('nginx')" });
    expect(argsFromString('name=npm state=present epel', service)).toEqual({ error: "takes key=value arguments or a mapping, not free text ('epel')" });
    expect(argsFromString('hello world', debug)).toEqual({ error: "takes key=value arguments or a mapping, not free text ('hello')" });
  });

  it('takes a template standing for the arguments as variable params, under the words beside it', () => {
    expect(argsFromString('{{ all_args }}', service)).toEqual({ args: {}, variableParams: '{{ all_args }}' });
    expect(argsFromString('{{ all_args }} state=started', service)).toEqual({ args: { state: 'started' }, variableParams: '{{ all_args }}' });
  });

  it('gives free text to a free-form module of this project', () => {
    const own = { name: 'rc_local', aliases: ['haweb.nginx.rc_local'], freeFormKey: 'line', args: z.strictObject({ line: z.string() }) };
    expect(argsFromString('/usr/sbin/nginx -c x', own)).toEqual({ args: { line: '/usr/sbin/nginx -c x' } });
  });

  it('names a string that cannot be split', () => {
    expect(argsFromString('a="open', service).error).toMatch(/^cannot read the arguments: unbalanced quote/);
  });

  it('finds argument names through zod wrappers', () => {
    expect(schemaKeys(z.strictObject({ a: z.string() }).refine(() => true))).toEqual(['a']);
    expect(schemaKeys(z.union([z.strictObject({ a: z.string() }), z.strictObject({ b: z.string() })]))).toEqual(['a', 'b']);
    expect(schemaKeys(z.strictObject({ a: z.string() }).transform((x) => x))).toEqual(['a']);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/index.js';
import { rehearseTakeovers } from '../../../src/daemon/rehearsal.js';

const config = (body: string) => {
  const text = `vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 51\n priority 90\n virtual_ipaddress {\n  198.51.100.50/24\n }\n${body}\n}\n`;
  const r = parseConfigText(text, '/etc/keepalived/keepalived.conf', { readFile: () => text, glob: () => [] });
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.config!;
};

describe('rehearseTakeovers', () => {
  it.each([
    ['VRRPv2 with PASS authentication (the seed)', ' advert_int 1\n authentication {\n  auth_type PASS\n  auth_pass 1111\n }'],
    ['VRRPv3 at 0.1 s', ' version 3\n advert_int 0.1'],
    ['unicast peers', ' unicast_src_ip 198.51.100.52\n unicast_peer {\n  198.51.100.51\n }'],
    ['the address owner', ' priority 255'],
  ])('takes %s through takeover and back on a scratch copy', async (_name, body) => {
    const c = config(body);
    expect(await rehearseTakeovers(c, new Map([['VI_1', '198.51.100.52']]))).toEqual([]);
  });

  it('names an instance it could not rehearse (no source address yet)', async () => {
    expect(await rehearseTakeovers(config(''), new Map())).toEqual(['VI_1']);
  });
});

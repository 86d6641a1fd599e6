/** service_facts' result: `services` as a variable and, through ansible_services, as ansible_facts.services. */
import { describe, expect, it } from 'vitest';
import { serviceFactsModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext, runModule } from '@haweb/hostkit/testing';

describe('service_facts', () => {
  it('returns the services as the fact services and ansible_services (ansible_facts.services)', async () => {
    const host = new FakeHost('h', REAL_FOLDERS);
    const M = '@@haweb-svc@@';
    host.respond((_c, text) => (text.includes(M) ? { code: 0, stdout: `${M}sysv\n [ + ]  ssh\n${M}units\n${M}unit-files\n${M}active\n`, stderr: '' } : undefined));
    const r = await runModule(serviceFactsModule, {}, fsContext(host));
    const ssh = { name: 'ssh', state: 'running', source: 'sysv' };
    expect(r).toMatchObject({ changed: false, facts: { services: { ssh }, ansible_services: { ssh } }, ansible_facts: { services: { ssh } } });
  });
});

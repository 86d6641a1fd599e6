/**
 * The test kit, one place for the packages' unit tests:
 *  - FakeHost / fakeContext: an in-memory host that records every command as a line and answers from
 *    handlers (the installers' tests: nginx, keepalived, vrrp);
 *  - FsHost / fsContext / runModule: a host with a small filesystem that interprets the argv commands
 *    file plans emit (the built-in modules' tests).
 */
export * from './fake-host.js';
export * from './fs-host.js';
export * from './fs-context.js';

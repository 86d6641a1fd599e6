/**
 * The test kit, one place for the packages' unit tests:
 *  - FakeHost: an in-memory host (a small filesystem that interprets the argv commands plans emit,
 *    handlers for the rest) that records every command; FsHost is its older name;
 *  - fakeContext (installers' tests: nginx, keepalived, vrrp) and fsContext / runModule (the
 *    built-in modules' tests, with file facts read from the host's filesystem).
 */
export * from './fake-host.js';
export { FakeHost as FsHost } from './fake-host.js';
export * from './fs-context.js';

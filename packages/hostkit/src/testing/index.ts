/** The test kit: an in-memory host that records every command, for the installer packages' unit tests. */
export * from './fake-host.js';

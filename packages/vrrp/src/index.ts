export {};
export { installerPlugin as plugin } from './installer/index.js';
export * as installer from './installer/index.js';
// VRRP protocol engineer: codec, configuration, state machine, daemon.
export * as protocol from './protocol/index.js';
export * as vrrpConfig from './config/index.js';
export * as vrrpState from './state/index.js';
export * as daemon from './daemon/index.js';
export { encodeAdvert, decodeAdvert, peekVrid, type Advert, type DecodeResult, type ReceiveExpectations } from './protocol/index.js';
export { loadConfig, parseConfigText, checkCluster, formatDiagnostic, hasErrors, type VrrpConfig, type InstanceConfig, type Diagnostic, type NodeConfig, type LoadResult } from './config/index.js';
export { VrrpDaemon, startDaemon, configTest, runCli, type DaemonOptions, type DaemonStatus } from './daemon/index.js';

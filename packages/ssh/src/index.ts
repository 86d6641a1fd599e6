export { SshConnector, type SshConnectorOptions } from './connector.js';
export { SshConnection, DEFAULT_MAX_CHANNELS } from './connection.js';
export { LocalConnection, LocalConnector, TransportConnector } from './local.js';
export { buildCommandLine, type BuildOptions } from './command-line.js';
export { atomicWriteScript, finishUploadScript, readFileScript, tempPathFor } from './file-scripts.js';
export {
  parseKnownHosts,
  checkHostKey,
  entryMatches,
  knownHostsName,
  hashHostName,
  formatHashedName,
  formatEntry,
  knownKeyTypes,
  type KnownHostEntry,
  type HostKeyVerdict,
} from './known-hosts.js';
export { decideHostKey, appendKnownHost, type HostKeyPolicy, type HostKeyDecision } from './known-hosts-file.js';
export { hostKeyAlgorithms, keyTypeOfBlob } from './host-key-algorithms.js';
export { Semaphore } from './semaphore.js';

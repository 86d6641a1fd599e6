// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { ensureFile, readFileInfo, sha256, backupName, CommandFailed, type EnsureFileOptions } from '@haweb/hostkit';

// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { type PackageTool, type PackagesArgs, type InstalledPackages, parseDpkgQuery, parseRpmQuery, installedPackages } from '@haweb/hostkit';

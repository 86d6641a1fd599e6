// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { type FileType, type FileInfo, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, CONTENT_LIMIT, type FileInfoArgs, parseStatLine, fileInfo, type PathStatArgs, pathsStat, pathExists } from '@haweb/hostkit';

import { resolve } from 'node:path';
import { buildConfig } from './build.js';
import { DiagnosticSink, hasErrors, type Diagnostic } from './diagnostics.js';
import type { VrrpConfig } from './model.js';
import { fileSystemSource, readStatements, type ConfigSource, type ReadOptions } from './tree.js';

export interface LoadResult {
  /** Present whenever the file could be read; check `ok` before running it. */
  config?: VrrpConfig;
  diagnostics: Diagnostic[];
  ok: boolean;
}

export type LoadOptions = ReadOptions;

/**
 * Reads, parses and validates a keepalived.conf (with its includes): the one reader of `vrrpd -t`, the
 * daemon's start and its SIGHUP reload. Never throws for bad input.
 */
export function loadConfig(path: string, source: ConfigSource = fileSystemSource, options: LoadOptions = {}): LoadResult {
  const file = resolve(path);
  const sink = new DiagnosticSink();
  let text: string;
  try {
    text = source.readFile(file);
  } catch (error) {
    sink.error({ file, line: 1, col: 1 }, `cannot read configuration: ${(error as Error).message}`);
    return { diagnostics: sink.items, ok: false };
  }
  return parseConfigText(text, file, source, sink, options);
}

/** Parses configuration text as if it were the file `file` (includes are resolved next to it). */
export function parseConfigText(text: string, file: string, source: ConfigSource = fileSystemSource, sink = new DiagnosticSink(), options: LoadOptions = {}): LoadResult {
  const statements = readStatements(file, source, sink, options, text);
  const config = buildConfig(file, statements, sink);
  sink.finish();
  return { config, diagnostics: sink.items, ok: !hasErrors(sink.items) };
}

/** Where something is in a configuration file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic extends SourceLocation {
  severity: Severity;
  message: string;
}

/** `file:line:col: error: message`, the form compilers use, so editors can jump to it. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Diagnostics kept per read: a generated file can produce one per line, and nobody reads past this. */
export const MAX_DIAGNOSTICS = 1000;

/**
 * Collects diagnostics while a configuration is read. Past MAX_DIAGNOSTICS they are only counted, and
 * one closing diagnostic says how many more there were (an error when any of them was an error).
 */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private dropped = { errors: 0, warnings: 0, first: undefined as SourceLocation | undefined };

  constructor(private readonly max: number = MAX_DIAGNOSTICS) {}

  error(at: SourceLocation, message: string): void {
    this.add(at, 'error', message);
  }

  warning(at: SourceLocation, message: string): void {
    this.add(at, 'warning', message);
  }

  /** Adds the closing count of dropped diagnostics, if any. Call once, when the read is over. */
  finish(): void {
    const { errors, warnings, first } = this.dropped;
    if (errors + warnings === 0 || !first) return;
    const message = `${errors + warnings} more diagnostics not shown (${errors} errors, ${warnings} warnings), the first of them here`;
    this.items.push({ file: first.file, line: first.line, col: first.col, severity: errors > 0 ? 'error' : 'warning', message });
    this.dropped = { errors: 0, warnings: 0, first: undefined };
  }

  private add(at: SourceLocation, severity: Severity, message: string): void {
    if (this.items.length < this.max) {
      this.items.push({ file: at.file, line: at.line, col: at.col, severity, message });
      return;
    }
    this.dropped.first ??= { file: at.file, line: at.line, col: at.col };
    if (severity === 'error') this.dropped.errors++;
    else this.dropped.warnings++;
  }
}

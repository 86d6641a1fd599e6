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

/** Collects diagnostics while a configuration is read. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  error(at: SourceLocation, message: string): void {
    this.items.push({ file: at.file, line: at.line, col: at.col, severity: 'error', message });
  }

  warning(at: SourceLocation, message: string): void {
    this.items.push({ file: at.file, line: at.line, col: at.col, severity: 'warning', message });
  }
}

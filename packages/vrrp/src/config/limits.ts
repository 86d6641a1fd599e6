/**
 * Bounds on what one configuration read may cost, so that no input (an include loop, a fan-out of
 * globs, a runaway definition, 10,000 nested braces) can make the reader hang, exhaust memory or
 * overflow the stack. Real configurations are far below every one of them; hitting one is an error
 * that names the file and line.
 */
export const READ_LIMITS = {
  /** Bytes of one file. keepalived.conf files are a few KiB; the largest public one we know is ~200 KiB. */
  maxFileBytes: 4 * 1024 * 1024,
  /** Bytes of all files read for one configuration (main file and every include). */
  maxTotalBytes: 8 * 1024 * 1024,
  /** Words and braces of the whole configuration (each costs ~150 bytes of heap). */
  maxTokens: 1_000_000,
  /** Characters of all lines the preprocessor produces. */
  maxGeneratedBytes: 16 * 1024 * 1024,
  /** Files opened for one configuration: bounds include fan-out (N files each including `*.conf`). */
  maxFiles: 1000,
  /** Files one include pattern may match. */
  maxMatchesPerInclude: 512,
  /** Include nesting (main file = 0). A legitimate chain of 9 works; a loop is caught before this anyway. */
  maxIncludeDepth: 32,
  /** `{ ... }` nesting. keepalived's deepest real block is 4 levels. */
  maxBlockDepth: 64,
  /** Lines produced by ~SEQ/~LST and multiline definitions, for the whole configuration. */
  maxGeneratedLines: 50_000,
  /** Length of one line after definitions are substituted. */
  maxLineLength: 64 * 1024,
  /** Substitutions in one line (a definition that refers to itself would otherwise never end). */
  maxSubstitutionsPerLine: 1000,
  /** Alternatives one brace pattern (`{a,b}{c,d}`) may expand to. */
  maxBraceAlternatives: 1024,
  /** Directory entries a glob may look at in total. */
  maxGlobEntries: 100_000,
} as const;

export type ReadLimits = { -readonly [K in keyof typeof READ_LIMITS]: number };

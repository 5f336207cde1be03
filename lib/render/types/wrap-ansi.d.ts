// Type declarations for wrap-ansi@7 (CommonJS; the package ships none at this major).
declare module 'wrap-ansi' {
  interface WrapAnsiOptions {
    /** Break words longer than the width (default true). */
    hard?: boolean;
    /** Wrap at word boundaries (default true). */
    wordWrap?: boolean;
    /** Trim leading and trailing whitespace of each line (default true). */
    trim?: boolean;
  }
  /** Wraps `input` to `columns` visible columns, keeping ANSI escapes intact. */
  function wrapAnsi(input: string, columns: number, options?: WrapAnsiOptions): string;
  export = wrapAnsi;
}

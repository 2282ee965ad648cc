/**
 * Prints a test's measured figures on one block of the test output, so that CI logs show what a
 * fault run did (events, repeats, recovery times), not just that it passed.
 */
export function printFigures(
  title: string,
  figures: Readonly<Record<string, number | string>>,
): void {
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  const lines = Object.entries(figures).map(
    ([key, value]) =>
      `  ${key.padEnd(width)}  ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`,
  );
  console.log(`[fault] ${title}\n${lines.join('\n')}`);
}

/** Milliseconds since `start` (a `performance.now()` reading), rounded. */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}

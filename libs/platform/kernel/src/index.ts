/** Domain primitives every context uses: domain errors, ids, clock, cursors, pages and text bounds. */
export * from './domain-error';
export * from './clock';
export * from './id-generator';
export * from './page';
export * from './text';
export * from './cursor';

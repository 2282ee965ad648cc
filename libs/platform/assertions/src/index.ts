/** Assertion helpers every spec may use; it depends on nothing, so even the kernel's specs can. */
export * from './error-of';

/** The bench's console voice: every line it prints about its progress carries the same prefix. */

/** Prints one progress line of the bench. */
export function log(message: string): void {
  console.log(`[bench] ${message}`);
}

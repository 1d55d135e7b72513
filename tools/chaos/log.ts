/** The chaos run's console voice: every progress line carries the same prefix. */

/** Prints one progress line of the chaos run. */
export function log(message: string): void {
  console.log(`[chaos] ${message}`);
}

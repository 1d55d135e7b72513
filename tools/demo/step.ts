/** The main job's console: one line a step, marked apart from what its processes log. */
export function step(message: string): void {
  console.log(`[byoi-bridge] ${message}`);
}

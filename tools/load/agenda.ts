/**
 * The agenda of a discrete-event simulation: actions due at whole milliseconds, run in time order and,
 * at one millisecond, in the order they were planned (so a seeded run repeats exactly).
 */

interface Entry {
  atMs: number;
  order: number;
  run: () => void;
}

/** A binary heap of planned actions. */
export class Agenda {
  private readonly heap: Entry[] = [];
  private planned = 0;

  /** Plans `run` at `atMs` (rounded down to the millisecond). */
  at(atMs: number, run: () => void): void {
    const entry = { atMs: Math.floor(atMs), order: this.planned++, run };
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  /** Runs every action due before `endMs`, including those the running ones plan before it. */
  runUntil(endMs: number): void {
    while (this.heap.length > 0 && this.heap[0]!.atMs < endMs) this.take().run();
  }

  get size(): number {
    return this.heap.length;
  }

  private take(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        const candidate = (at: number) => (at === index ? last : heap[at]!);
        if (left < heap.length && before(heap[left]!, candidate(smallest))) smallest = left;
        if (right < heap.length && before(heap[right]!, candidate(smallest))) smallest = right;
        if (smallest === index) break;
        heap[index] = heap[smallest]!;
        index = smallest;
      }
      heap[index] = last;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}

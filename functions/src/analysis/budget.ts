// How many model calls may go out per minute.
//
// The global budget (GEMINI_CALLS_PER_MINUTE) is split evenly between the instances the analysis
// function may run (its maxInstances): each instance counts its own calls in the current
// minute, in memory. The sum can never exceed the global budget, and the check costs nothing.
// A shared Firestore counter would use the budget fully when few instances run, but it puts a
// transaction on one hot document in front of every model call — precisely during a flood, when
// calls contend most — and Firestore sustains about one write per second per document. Since
// the signature cache absorbs floods, the budget binds rarely; when it does, the events are
// marked skipped (budget) and keep the rules analysis.

export interface CallBudget {
  /** Takes one call from the budget; false when this minute's budget is spent. */
  tryTake(): boolean;
  /** Calls left in the current minute (for logs and health). */
  remaining(): number;
}

/** The share of a global per-minute budget one instance may use (at least one call). */
export function perInstanceBudget(globalPerMinute: number, maxInstances: number): number {
  if (globalPerMinute <= 0) return 0;
  return Math.max(1, Math.floor(globalPerMinute / Math.max(1, maxInstances)));
}

/** A fixed-window counter: `limit` calls per wall-clock minute. */
export class MinuteBudget implements CallBudget {
  private windowStart = -1;
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  private roll(): void {
    const minute = Math.floor(this.now() / 60_000);
    if (minute !== this.windowStart) {
      this.windowStart = minute;
      this.used = 0;
    }
  }

  tryTake(): boolean {
    this.roll();
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  remaining(): number {
    this.roll();
    return Math.max(0, this.limit - this.used);
  }
}

/** No limit (benchmarks, tests). */
export const UNLIMITED_BUDGET: CallBudget = { tryTake: () => true, remaining: () => Number.POSITIVE_INFINITY };

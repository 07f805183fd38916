// What a labelling run does on Pause, Resume, Cancel and a new budget, shared
// by the API queue (queue.ts) and the in-browser teacher (local/run.ts): the
// gate every request passes, the wake-up of whoever waits at it, and the
// state those controls put the run in.
import type { RunState, TeacherController, TeacherProgress } from './queue';
import type { TeacherSettings } from './types';

export type Budget = TeacherSettings['budget'];

export interface RunHooks {
  /** Whether the run has spent `budget`. */
  over(budget: Budget): boolean;
  /** Reports progress (the state changed). */
  emit(): void;
  /** Cancel: abort what is in flight. Runs once, before waiters are woken. */
  abort?(): void;
  /** Whether the run has ended, so Cancel has nothing left to stop. */
  ended?(): boolean;
}

export class RunControls {
  paused = false;
  budgetHit = false;
  cancelled = false;
  budget: Budget;
  #hooks: RunHooks;
  #wake: () => void = () => {};
  #woken: Promise<void>;

  constructor(budget: Budget, hooks: RunHooks) {
    this.budget = { ...budget };
    this.#hooks = hooks;
    this.#woken = new Promise((r) => (this.#wake = r));
  }

  /** Settles at the next rouse(): a slot freed, a resume, a raised budget or a cancel. */
  get woken(): Promise<void> {
    return this.#woken;
  }

  rouse(): void {
    this.#wake();
    this.#woken = new Promise((r) => (this.#wake = r));
  }

  /** Waits while paused or over budget; false once cancelled. */
  async gate(): Promise<boolean> {
    for (;;) {
      if (this.cancelled) return false;
      if (!this.budgetHit && this.#hooks.over(this.budget)) {
        this.budgetHit = true;
        this.#hooks.emit();
      }
      if (!this.paused && !this.budgetHit) return true;
      await this.#woken;
    }
  }

  /** The run's state as the controls and its end decide it; null while it runs (the caller says how). */
  state(fatal: string | undefined, finished: boolean): RunState | null {
    if (fatal) return 'error';
    if (this.cancelled) return 'cancelled';
    if (finished) return 'done';
    if (this.budgetHit) return 'budget';
    return this.paused ? 'paused' : null;
  }

  /** The controller's verbs over these controls. */
  verbs(): Omit<TeacherController, 'done'> {
    const h = this.#hooks;
    return {
      pause: () => {
        this.paused = true;
        h.emit();
      },
      resume: () => {
        this.paused = false;
        this.budgetHit = h.over(this.budget);
        this.rouse();
        h.emit();
      },
      cancel: () => {
        if (this.cancelled || h.ended?.()) return;
        this.cancelled = true;
        h.abort?.();
        this.rouse();
        h.emit();
      },
      setBudget: (b) => {
        this.budget = { ...b };
        if (this.budgetHit && !h.over(this.budget)) {
          this.budgetHit = false;
          this.rouse();
        }
        h.emit();
      },
    };
  }
}

/** A run's progress before its first answer: `total` answers to get, nothing counted yet. */
export function startProgress(total: number, costKnown: boolean, concurrency: number): TeacherProgress {
  const zero = { done: 0, cached: 0, sent: 0, failed: 0, invalid: 0, cost: 0, inFlight: 0, requestsPerMin: 0, ratePerMin: 0 };
  const tokens = { tokensIn: 0, tokensOut: 0, tokensReasoning: 0, tokensCached: 0 };
  return { ...zero, ...tokens, total, costKnown, concurrency, etaMs: null, state: 'running', pacing: null };
}

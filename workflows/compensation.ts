import { log } from '@temporalio/workflow';

/** How one undo went: `detail` says what it did, or why it failed. */
export interface CompensationOutcome {
  name: string;
  outcome: 'done' | 'failed';
  detail?: string;
}

interface Undo {
  name: string;
  /** Undoes one step; what it resolves to is its outcome's detail. */
  run: () => Promise<string | void>;
}

/**
 * A saga's compensation stack, shared by the order and return processes: push the undo of each
 * step once the step is done; `unwind` runs them in reverse, and an undo that fails is logged and
 * recorded while the rest still run.
 */
export class CompensationStack {
  private readonly undos: Undo[] = [];

  /** The undo of a step just done. A step that runs again (a retried pass) pushes its undo once. */
  push(name: string, run: () => Promise<string | void>): void {
    if (!this.has(name)) this.undos.push({ name, run });
  }

  has(name: string): boolean {
    return this.undos.some((u) => u.name === name);
  }

  /** Undoes every step, last first; `onOutcome` hears of each as it ends. */
  async unwind(onOutcome?: (outcome: CompensationOutcome) => void): Promise<CompensationOutcome[]> {
    const outcomes: CompensationOutcome[] = [];
    for (let undo = this.undos.pop(); undo; undo = this.undos.pop()) {
      let outcome: CompensationOutcome;
      try {
        const detail = await undo.run();
        outcome = { name: undo.name, outcome: 'done', ...(detail ? { detail } : {}) };
      } catch (err) {
        log.error('compensation failed; continuing with the rest', { step: undo.name, error: String(err) });
        outcome = {
          name: undo.name,
          outcome: 'failed',
          detail: err instanceof Error ? err.message : String(err),
        };
      }
      outcomes.push(outcome);
      onOutcome?.(outcome);
    }
    return outcomes;
  }
}

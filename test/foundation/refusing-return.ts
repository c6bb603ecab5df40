import { condition, setHandler } from '@temporalio/workflow';
import { inspectReturnUpdate } from '../../domain/contracts/returns';
import type { UpdateFailureType } from '../../domain/failures';
import { refusal } from '../../workflows/refusal';

/**
 * A stand-in for a return process, run under a return's workflow id: its inspection validator
 * refuses every update with the failure type the inspection's note names, as a real validator
 * would refuse with its own. It runs until the test terminates it.
 */
export async function refusingReturn(): Promise<void> {
  setHandler(
    inspectReturnUpdate,
    () => {
      throw new Error('the validator refuses every inspection');
    },
    {
      validator: (inspection) => {
        throw refusal(inspection.note as UpdateFailureType, `Refused with ${inspection.note}.`);
      },
    },
  );
  await condition(() => false);
}

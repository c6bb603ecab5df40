import type { Client } from '@temporalio/client';
import { flowSnapshot } from '../db/flow-switches';
import type { Db } from '../db/pool';
import { flowOffReason, type Flow } from '../domain/flow-switches';
import { ApiError, processGone } from './errors';

/**
 * Why a store → ERP event may start nothing: its flow is switched off (or one-way the other way),
 * and no process that started while it was on is running to receive it — that one honours the
 * switches it started with. Undefined when the event goes ahead.
 */
export async function switchedOffFor(
  deps: { temporal: Client; db: Db; store: string },
  flow: Flow,
  workflowId: string,
): Promise<string | undefined> {
  const reason = flowOffReason(await flowSnapshot(deps.db, deps.store), flow, 'storeToErp');
  if (!reason) return undefined;
  try {
    const running = await deps.temporal.workflow.getHandle(workflowId).describe();
    if (running.status.name === 'RUNNING') return undefined;
  } catch (err) {
    if (!processGone(err)) throw err;
  }
  return reason;
}

/** A 409 FLOW.SWITCHED_OFF when the flow would start a process it is switched off for. */
export async function refuseSwitchedOff(
  deps: { temporal: Client; db: Db; store: string },
  flow: Flow,
  workflowId: string,
): Promise<void> {
  const reason = await switchedOffFor(deps, flow, workflowId);
  if (reason) throw new ApiError(409, 'FLOW.SWITCHED_OFF', `Nothing was started: ${reason}.`, { flow });
}

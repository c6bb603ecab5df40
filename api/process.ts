import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition, Workflow } from '@temporalio/common';
import type { Db } from '../db/pool';
import type { Principal } from '../db/principals';
import { taskQueue, type EventDelivery } from '../domain/contracts';
import type { Flow } from '../domain/flow-switches';
import { authenticate, maySeeStore, principalOf, requireRole } from './auth';
import { ApiError, onProcess, validate, type ProcessAnswers } from './errors';
import { refuseSwitchedOff } from './flow-gate';

/** A process addressed by `:id`, in the store `?store=` names (the API's own store when absent). */
export const ProcessParams = z.object({ id: z.string().min(1).max(200) });
export const StoreQuery = z.object({ store: z.string().min(1).optional() });

/** Validates a request addressing a process (`:id`, `?store=`) and its body, when it has one. */
export const validateAddressed = <B>(body?: z.ZodType<B>) =>
  validate({ params: ProcessParams, query: StoreQuery, ...(body ? { body } : {}) });

export interface ProcessRouteDeps {
  temporal: Client;
  db: Db;
  store: string;
  taskQueuePrefix: string;
}

type Addressed = { principal?: Principal; params: unknown; query: unknown };

/**
 * A route's view of one kind of process: the workflow a request addresses by `:id` and `?store=`,
 * every call on it answered by the one Temporal → HTTP mapping (`onProcess`). A store the caller
 * may not see is answered exactly like a process that does not exist.
 */
export function processAddress(
  deps: Pick<ProcessRouteDeps, 'temporal' | 'store'>,
  workflowIdOf: (store: string, id: string) => string,
  answersFor: (id: string) => ProcessAnswers,
) {
  return (req: Addressed) => {
    const { id } = req.params as z.infer<typeof ProcessParams>;
    const answers = answersFor(id);
    const store = (req.query as z.infer<typeof StoreQuery>).store ?? deps.store;
    if (!maySeeStore(principalOf(req), store)) throw answers.notFound;
    const workflowId = workflowIdOf(store, id);
    const handle = deps.temporal.workflow.getHandle(workflowId);
    return {
      id,
      workflowId,
      call: <T>(fn: (handle: WorkflowHandle) => Promise<T>) => onProcess(handle, fn, answers),
    };
  };
}

/** The envelope of an event the API makes (not a webhook): its topic, its id (the process deduplicates by it), now. */
export const apiEvent = <T extends string>(topic: T, eventId: string) => ({
  topic,
  eventId,
  triggeredAt: new Date().toISOString(),
});

/** Refuses (403) a request to act for a store outside the caller's. */
export function mayActFor(req: { principal?: Principal }, store: string): void {
  if (!maySeeStore(principalOf(req), store))
    throw new ApiError(403, 'AUTH.FORBIDDEN', `You may not act for store ${store}.`);
}

/**
 * Hands an event from the API to its process as the webhook ingress does: signal-with-start into the
 * process's deterministic id (a running process gets the event, one that is not running starts with
 * it), unless the event's flow is switched off for the store (409 FLOW.SWITCHED_OFF).
 */
export async function deliverToProcess<E>(
  deps: ProcessRouteDeps,
  gate: { flow: Flow; store: string },
  delivery: EventDelivery<E>,
  event: E,
): Promise<void> {
  await refuseSwitchedOff(
    { temporal: deps.temporal, db: deps.db, store: gate.store },
    gate.flow,
    delivery.workflowId,
  );
  await deps.temporal.workflow.signalWithStart<Workflow, [E]>(delivery.workflowType, {
    workflowId: delivery.workflowId,
    taskQueue: taskQueue(delivery.queue, deps.taskQueuePrefix),
    args: delivery.args,
    signal: delivery.signal,
    signalArgs: [event],
  });
}

/** A route answering a process's status: its query's answer, with its workflow id. */
export const answerStatus =
  <S extends object>(
    addressOf: ReturnType<typeof processAddress>,
    query: QueryDefinition<S>,
  ): RequestHandler =>
  async (req, res) => {
    const process = addressOf(req);
    const status = await process.call((h) => h.query(query));
    res.json({ workflowId: process.workflowId, ...status });
  };

/**
 * What a router of process routes is built from: the router, its sign-in check and the operators'
 * one, the `store` field of a body that starts a process (the API's own store unless named), the
 * process a request addresses, and the hand-over of an event to its process.
 */
export function processRoutes(deps: ProcessRouteDeps) {
  const auth = authenticate(deps.db);
  return {
    router: Router(),
    auth,
    operator: [auth, requireRole('operator', 'admin')],
    storeField: { store: z.string().min(1).default(deps.store) },
    address: (
      workflowIdOf: (store: string, id: string) => string,
      answersFor: (id: string) => ProcessAnswers,
    ) => processAddress(deps, workflowIdOf, answersFor),
    deliver: <E>(gate: { flow: Flow; store: string }, delivery: EventDelivery<E>, event: E) =>
      deliverToProcess(deps, gate, delivery, event),
    mayActFor,
    apiEvent,
  };
}

import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { queuePrefixOf } from './stores';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { Db } from '../db/pool';
import type { Principal } from '../db/principals';
import { taskQueue, type EventDelivery } from '../domain/contracts';
import type { Flow } from '../domain/flow-switches';
import { authenticate, maySeeStore, principalOf, requireRole } from './auth';
import { startForEvent } from '../platform/temporal-client';
import { ApiError, answerStart, onProcess, validate, type ProcessAnswers } from './errors';
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
  /** Every store's shop (api/app.ts): a configured store's processes run on its own queues. */
  shops?: { store: string }[];
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

/**
 * The id of the event a request makes for the process `key` names: the same request body again is
 * the same event (a retry, answered 200), another body for the same process is another event (409).
 */
export const requestEventId = (kind: string, key: string, body: unknown) =>
  `${kind}:${key}:${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}`;

/** Refuses (403) a request to act for a store outside the caller's. */
export function mayActFor(req: { principal?: Principal }, store: string): void {
  if (!maySeeStore(principalOf(req), store))
    throw new ApiError(403, 'AUTH.FORBIDDEN', `You may not act for store ${store}.`);
}

/**
 * Starts the process an event from the API is for, into its deterministic id, and hands it the
 * event (`startForEvent`): answers 202 when this request started it, 200 when an earlier try of the
 * same request did, and `taken` (409) when the process is there for another event. Refused first
 * when the event's flow is switched off for the store (409 FLOW.SWITCHED_OFF).
 */
export async function deliverToProcess<E extends { eventId: string }>(
  deps: ProcessRouteDeps,
  gate: { flow: Flow; store: string },
  delivery: EventDelivery<E>,
  event: E,
  taken: ApiError,
): Promise<200 | 202> {
  await refuseSwitchedOff(
    { temporal: deps.temporal, db: deps.db, store: gate.store },
    gate.flow,
    delivery.workflowId,
  );
  const outcome = await startForEvent(deps.temporal, {
    workflowType: delivery.workflowType,
    workflowId: delivery.workflowId,
    taskQueue: taskQueue(delivery.queue, queuePrefixOf(deps, gate.store)),
    args: delivery.args,
    signal: delivery.signal,
    event,
  });
  return answerStart(outcome, taken);
}

/**
 * A route's start of one kind of process from a request (a registration, a return): the flow switch
 * that may refuse it, the topic of the event the API makes of the request, the process's delivery,
 * and the route's answers for the process (`taken`: it is there for another request, 409). Each
 * start hands the event over (`deliverToProcess`: the same body again is the same event) and says
 * how it was answered (202 or 200) and the process's workflow id.
 */
export function requestStarter<T extends string, E extends { eventId: string }>(
  deps: ProcessRouteDeps,
  flow: Flow,
  topic: T,
  deliveryOf: (store: string, id: string) => EventDelivery<E>,
  answersFor: (id: string) => Required<Pick<ProcessAnswers, 'taken'>>,
) {
  return async (
    request: { store: string; id: string; body: unknown },
    event: (envelope: ReturnType<typeof apiEvent<T>>) => E,
  ) => {
    const { store, id, body } = request;
    const delivery = deliveryOf(store, id);
    const envelope = apiEvent(topic, requestEventId(topic, id, body));
    const status = await deliverToProcess(
      deps,
      { flow, store },
      delivery,
      event(envelope),
      answersFor(id).taken,
    );
    return { status, workflowId: delivery.workflowId };
  };
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
    deliver: <E extends { eventId: string }>(
      gate: { flow: Flow; store: string },
      delivery: EventDelivery<E>,
      event: E,
      taken: ApiError,
    ) => deliverToProcess(deps, gate, delivery, event, taken),
    starter: <T extends string, E extends { eventId: string }>(
      ...how: Parameters<typeof requestStarter<T, E>> extends [ProcessRouteDeps, ...infer R] ? R : never
    ) => requestStarter(deps, ...how),
    mayActFor,
    apiEvent,
    requestEventId,
  };
}

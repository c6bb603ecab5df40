import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReturnActivities } from '../activities/returns';
import type { DecisionInput } from '../domain/approvals';
import {
  assessReturn,
  computeRefund,
  type EligibleLine,
  type ReturnOrderFacts,
} from '../domain/return-rules';
import { durationMs } from '../domain/duration';
import {
  RETURN_FAILURES,
  goodsReceivedSignal,
  inspectReturnUpdate,
  returnEventSignal,
  returnStatusQuery,
  type InspectionInput,
  type ReturnStatus,
  type ReturnWorkflowInput,
  type ReturnStep,
} from '../domain/contracts/returns';
import { Money } from '../domain/money';
import type { ReturnRequest, StorefrontReturnEvent } from '../domain/returns';
import { SA } from '../domain/search-attributes';
import { PROFILES } from './activity-profiles';
import { approvalGate } from './approvalGate';
import { CompensationStack } from './compensation';
import { refusal } from './refusal';
import { firstEventArrived, messagesTo, tell, trackSteps } from './process-kit';

const erp = proxyActivities<ReturnActivities>(PROFILES.returnDocument);
const local = proxyActivities<ReturnActivities>(PROFILES.localRecord);

/**
 * One return (RMA) from request to refund: eligibility, automatic or human approval, ERP return
 * authorization, goods received, inspection, credit memo and refund (with restocking fee and partial
 * quantities), and the outcome back to the storefront. Every document and refund is keyed by the
 * return, so retries never issue a second refund.
 */
export async function returnRefund(input: ReturnWorkflowInput): Promise<ReturnStatus> {
  const workflowId = workflowInfo().workflowId;
  const status: ReturnStatus = {
    returnId: input.returnId,
    orderId: null,
    step: 'awaitingRequest',
    assessment: null,
    approval: null,
    autoApproved: false,
    rma: null,
    received: [],
    inspection: null,
    refund: null,
    creditMemoId: null,
    storefrontRefundId: null,
    erpRefundId: null,
    restocked: [],
    declineReason: null,
  };
  let request: StorefrontReturnEvent['request'] | undefined;
  let goodsSignalled = false;
  const seenEvents = new Set<string>();

  const gate = approvalGate({
    outcomes: ['approve', 'reject', 'adjust'],
    check: (_pending, decision) =>
      decision.outcome !== 'reject' && status.assessment?.requestedAmount === null && !decision.amount
        ? 'The price paid for a returned line is unknown: approve with the refund amount.'
        : null,
  });
  setHandler(returnStatusQuery, () => status);
  setHandler(returnEventSignal, (event) => {
    if (seenEvents.has(event.eventId)) return;
    seenEvents.add(event.eventId);
    if (!request) request = event.request;
  });
  setHandler(goodsReceivedSignal, () => {
    goodsSignalled = true;
  });
  setHandler(
    inspectReturnUpdate,
    (inspection) => {
      status.inspection = inspection;
      return status;
    },
    {
      validator: (inspection) => {
        if (status.step !== 'awaitingGoods' && status.step !== 'awaitingInspection') {
          throw refusal(
            RETURN_FAILURES.notAwaitingInspection,
            `Return ${input.returnId} is ${status.step}, not awaiting inspection.`,
          );
        }
        if (status.inspection)
          throw refusal(RETURN_FAILURES.alreadyInspected, 'The inspection result is already recorded.');
        const authorized = new Map((status.assessment?.eligible ?? []).map((l) => [l.lineId, l.quantity]));
        const seen = new Map<string, number>();
        for (const l of inspection.lines) {
          if (!authorized.has(l.lineId))
            throw refusal(RETURN_FAILURES.inspectionInvalid, `Line ${l.lineId} is not on this return.`);
          if (!['restock', 'scrap', 'warranty'].includes(l.disposition)) {
            throw refusal(RETURN_FAILURES.inspectionInvalid, `Unknown disposition ${l.disposition}.`);
          }
          seen.set(l.lineId, (seen.get(l.lineId) ?? 0) + l.quantity);
          if (
            !Number.isInteger(l.quantity) ||
            l.quantity < 0 ||
            (seen.get(l.lineId) ?? 0) > (authorized.get(l.lineId) ?? 0)
          ) {
            throw refusal(
              RETURN_FAILURES.inspectionInvalid,
              `Line ${l.lineId}: at most ${authorized.get(l.lineId)} may be inspected.`,
            );
          }
        }
      },
    },
  );

  const setStep = trackSteps<ReturnStep>(status, 'return', [{ key: SA.store, value: input.store }]);

  if (!(await firstEventArrived(() => request !== undefined))) {
    setStep('failed');
    status.declineReason = 'No return request arrived.';
    return status;
  }
  let req = request as unknown as ReturnRequest;
  // Shopify's returns/request lists no lines: read them from the store before anything else.
  if (req.lines.length === 0 && patched('return-lines-from-store')) {
    const lines = await erp.readStorefrontReturnLines({ returnId: input.returnId });
    if (lines.length === 0) {
      setStep('failed');
      status.orderId = req.orderId;
      status.declineReason = `The store lists no lines for return ${input.returnId}.`;
      return status;
    }
    req = { ...req, lines };
  }
  status.orderId = req.orderId;
  if (req.customerId) upsertSearchAttributes([{ key: SA.customer, value: req.customerId }]);
  setStep('assessing');

  const buyer = messagesTo(
    workflowId,
    () => ({ role: 'buyer', id: req.customerId ?? null, store: input.store }),
    () => ({ returnId: input.returnId, orderId: req.orderId }),
  );
  const tellBuyer = (n: ReturnType<typeof buyer>) => tell('buyer', n);
  const record = (
    lines: { lineId: string; sku: string; quantity: number }[],
    refundTotal: string | null,
    currency: string | null,
  ) =>
    local.recordReturn({
      store: input.store,
      returnId: input.returnId,
      workflowId,
      orderId: req.orderId,
      customerId: req.customerId ?? null,
      status: status.step,
      lines,
      refundTotal,
      currency,
    });

  const decline = async (reason: string, currency: string | null) => {
    setStep('declined');
    status.declineReason = reason;
    await erp.updateStorefrontReturn({ returnId: input.returnId, status: 'declined', reason });
    await record([], null, currency);
    await tellBuyer(
      buyer('return.declined', `Your return ${input.returnId} was declined`, reason, { reason }),
    );
    return status;
  };

  const policy = input.policy ?? (await local.loadReturnPolicy({ store: input.store }));
  let facts: ReturnOrderFacts;
  try {
    facts = await local.loadOrderFacts({ store: input.store, orderId: req.orderId });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ApplicationFailure && cause.type === RETURN_FAILURES.orderUnknown)
      return decline(cause.message, null);
    throw err;
  }
  const assessment = assessReturn(req, facts, policy);
  status.assessment = assessment;
  if (assessment.eligible.length === 0) {
    return decline(assessment.ineligible.map((l) => l.message).join(' '), facts.currency);
  }
  const eligibleLines = (lines: EligibleLine[]) =>
    lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity }));
  await record(eligibleLines(assessment.eligible), assessment.requestedAmount, facts.currency);

  // Approval: automatic under the rules, otherwise an approver decides through the `decide` update.
  let approved: DecisionInput | null = null;
  if (assessment.needsApproval) {
    setStep('awaitingApproval');
    const approvalId = `${workflowId}:approval`;
    status.approval = { approvalId, reasons: assessment.approvalReasons };
    const wait = await gate.request(
      {
        approvalId,
        kind: 'return',
        amount: assessment.requestedAmount,
        currency: facts.currency,
        summary: `Return ${input.returnId} on order ${req.orderId}${assessment.requestedAmount ? ` for ${assessment.requestedAmount} ${facts.currency}` : ''}`,
        context: {
          store: input.store,
          returnId: input.returnId,
          orderId: req.orderId,
          customerId: req.customerId ?? null,
          lines: assessment.eligible,
          ineligible: assessment.ineligible,
          reasons: assessment.approvalReasons,
        },
      },
      {
        remindAfter: policy.approvalReminderAfter,
        escalateAfter: policy.approvalEscalateAfter,
        expireAfter: policy.approvalTimeout,
      },
    );
    if (!wait.decided) return decline('The return was not decided in time.', facts.currency);
    Object.assign(status.approval, {
      outcome: wait.decision.outcome,
      decidedBy: wait.decision.decidedBy.name,
      reason: wait.decision.reason,
    });
    if (wait.decision.outcome === 'reject')
      return decline(wait.decision.reason ?? 'The return was rejected by an approver.', facts.currency);
    approved = wait.decision;
  } else {
    status.autoApproved = true;
  }

  // ERP return authorization; until money moves, undoing means closing it.
  setStep('authorizing');
  const byLine = new Map(facts.lines.map((l) => [l.lineId, l]));
  const rmaExternalId = workflowId;
  const rma = await erp.createReturnAuthorization({
    externalId: rmaExternalId,
    salesOrderExternalId: facts.salesOrderExternalId,
    lines: assessment.eligible.map((l) => ({
      lineKey: byLine.get(l.lineId)?.erpLineKey ?? l.lineId,
      sku: byLine.get(l.lineId)?.erpSku ?? l.sku,
      quantity: l.quantity,
    })),
    memo: `Storefront return ${input.returnId}`,
  });
  status.rma = { erpId: rma.erpId, externalId: rma.externalId };
  await erp.updateStorefrontReturn({ returnId: input.returnId, status: 'approved' });
  await tellBuyer(
    buyer(
      'return.approved',
      `Your return ${input.returnId} is approved`,
      `Please send the goods back quoting return authorization ${rma.erpId}.`,
      {
        rma: rma.erpId,
        lines: eligibleLines(assessment.eligible),
      },
    ),
  );

  // Goods received: an ERP event signal, or the ERP says so when polled; the timeout closes the RMA.
  setStep('awaitingGoods');
  await record(eligibleLines(assessment.eligible), assessment.requestedAmount, facts.currency);
  const lineKeyToLine = new Map(
    assessment.eligible.map((l) => [byLine.get(l.lineId)?.erpLineKey ?? l.lineId, l.lineId]),
  );
  const receiveDeadline = Date.now() + durationMs(policy.receiveTimeout);
  const poll = durationMs(policy.receivePollInterval);
  let complete = false;
  while (!complete) {
    const remaining = receiveDeadline - Date.now();
    if (remaining <= 0) break;
    await condition(() => goodsSignalled || status.inspection !== null, Math.min(poll, remaining));
    goodsSignalled = false;
    const current = await erp.getReturnAuthorization({ externalId: rmaExternalId });
    if (current?.status === 'closed') break;
    status.received = (current?.lines ?? [])
      .filter((l) => l.quantityReceived > 0)
      .map((l) => ({
        lineId: lineKeyToLine.get(l.lineKey) ?? l.lineKey,
        quantity: l.quantityReceived,
        location: l.location,
      }));
    complete = current?.status === 'received' || current?.status === 'credited' || status.inspection !== null;
  }
  if (status.received.length === 0 && status.inspection === null) {
    setStep('expired');
    status.declineReason = 'The returned goods did not arrive in time.';
    await erp.closeReturnAuthorization({ externalId: rmaExternalId });
    await erp.updateStorefrontReturn({
      returnId: input.returnId,
      status: 'closed',
      reason: status.declineReason,
    });
    await record([], null, facts.currency);
    await tellBuyer(
      buyer(
        'return.expired',
        `Your return ${input.returnId} was closed`,
        `We did not receive the goods within ${policy.receiveTimeout}, so the return is closed.`,
      ),
    );
    return status;
  }

  // Inspection: the warehouse records restock / scrap / warranty per line through the `inspectReturn` update.
  setStep('awaitingInspection');
  // The read model shows the inspection wait, so its service level can be measured.
  if (status.inspection === null && patched('return-inspection-recorded'))
    await record(eligibleLines(assessment.eligible), assessment.requestedAmount, facts.currency);
  if (!(await condition(() => status.inspection !== null, policy.inspectionReminderAfter))) {
    await local.raiseReturnAlert({
      workflowId,
      returnId: input.returnId,
      kind: 'return.inspectionOverdue',
      message: `Goods for return ${input.returnId} arrived but await inspection since ${policy.inspectionReminderAfter}.`,
    });
    await condition(() => status.inspection !== null);
  }
  const inspection = status.inspection as unknown as InspectionInput;

  // Refund math: unknown prices take the approved amount spread over the units; the approved amount caps the total.
  const approvedAmount = approved?.amount ?? null;
  const unknownUnits = assessment.eligible
    .filter((l) => l.unitPrice === null)
    .reduce((s, l) => s + l.quantity, 0);
  const fallbackUnitPrice =
    approvedAmount && unknownUnits > 0
      ? Money.of(approvedAmount, facts.currency, 'halfUp').perPartRoundedUp(unknownUnits).toString()
      : Money.zero(facts.currency).toString();
  const eligibleById = new Map(assessment.eligible.map((l) => [l.lineId, l]));
  const receivedById = new Map(status.received.map((r) => [r.lineId, r.quantity]));
  const refund = computeRefund(
    inspection.lines
      .filter((l) => l.quantity > 0)
      .map((l) => {
        const line = eligibleById.get(l.lineId) as EligibleLine;
        const received = receivedById.get(l.lineId);
        return {
          lineId: l.lineId,
          sku: line.sku,
          quantity: received !== undefined ? Math.min(received, l.quantity) : l.quantity,
          unitPrice: line.unitPrice ?? fallbackUnitPrice,
          reason: line.reason,
          disposition: l.disposition,
        };
      }),
    policy,
    approvedAmount,
    facts.currency,
  );
  status.refund = refund;
  const hasFee = Money.of(refund.restockingFee, facts.currency).isPositive();

  // Money moves: credit memo, storefront refund (restocking the goods), ERP refund. Keys derive from the return.
  setStep('refunding');
  const compensations = new CompensationStack();
  /** The undo of a document or refund already made: flagged for a person to reverse. */
  const flagForReversal = (document: string, id: string, amount: string, why: string) => () =>
    local.flagForReversal({ workflowId, returnId: input.returnId, document, id, amount, why });
  try {
    if (Money.of(refund.total, facts.currency).isPositive()) {
      const memo = await erp.createCreditMemo({
        externalId: `${workflowId}:credit`,
        returnAuthorizationErpId: rma.erpId,
        lines: refund.lines.map((l) => ({
          lineKey: byLine.get(l.lineId)?.erpLineKey ?? l.lineId,
          sku: byLine.get(l.lineId)?.erpSku ?? l.sku,
          quantity: l.quantity,
          amount: l.refund,
        })),
        restockingFee: hasFee ? refund.restockingFee : undefined,
      });
      status.creditMemoId = memo.erpId;
      compensations.push(
        'credit memo',
        flagForReversal('credit memo', memo.erpId, memo.total, 'the refund did not complete'),
      );

      const sfRefund = await erp.createStorefrontRefund({
        orderId: req.orderId,
        refundKey: `${workflowId}:refund`,
        lines: refund.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, restock: l.restock })),
        amount: refund.total,
        currency: facts.currency,
        note: hasFee
          ? `Return ${input.returnId}; restocking fee ${refund.restockingFee}`
          : `Return ${input.returnId}`,
        notifyCustomer: true,
      });
      status.storefrontRefundId = sfRefund.refundId;
      compensations.push(
        'storefront refund',
        flagForReversal(
          'storefront refund',
          sfRefund.refundId,
          refund.total,
          'the ERP refund did not complete',
        ),
      );

      const erpRefund = await erp.createErpRefund({
        externalId: `${workflowId}:refund`,
        creditMemoErpId: memo.erpId,
        amount: refund.total,
      });
      status.erpRefundId = erpRefund.erpId;
    }
    await erp.updateStorefrontReturn({ returnId: input.returnId, status: 'closed' });
  } catch (err) {
    setStep('failed');
    status.declineReason = `Refund failed: ${String((err as Error).message ?? err)}`;
    await compensations.unwind();
    await record(eligibleLines(assessment.eligible), null, facts.currency);
    throw ApplicationFailure.create({
      type: RETURN_FAILURES.refundFailed,
      message: status.declineReason,
      nonRetryable: true,
    });
  }

  const locationOf = new Map(status.received.map((r) => [r.lineId, r.location]));
  status.restocked = refund.lines
    .filter((l) => l.restock)
    .map((l) => ({ sku: l.sku, quantity: l.quantity, location: locationOf.get(l.lineId) ?? null }));
  setStep('completed');
  await record(
    refund.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })),
    refund.total,
    facts.currency,
  );
  await tellBuyer(
    buyer(
      'return.refunded',
      `Your refund for return ${input.returnId}`,
      `We refunded ${refund.total} ${facts.currency}${hasFee ? ` (restocking fee ${refund.restockingFee})` : ''}.`,
      {
        refund: refund.total,
        restockingFee: refund.restockingFee,
        currency: facts.currency,
      },
    ),
  );
  return status;
}

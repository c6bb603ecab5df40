import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CustomerActivities } from '../activities/customers';
import type { DecisionInput } from '../domain/approvals';
import {
  applicantInfoSignal,
  customerAttentionKey,
  customerEventSignal,
  retryStorefrontAccountSignal,
  customerStatusQuery,
  type ApplicantInfo,
  type CustomerApprovalStatus,
  type CustomerStep,
  type CustomerWorkflowInput,
} from '../domain/contracts/customer';
import type { CustomerApplication } from '../domain/customer';
import { applicantName, approvedAccount, customerExternalId } from '../domain/customer-rules';
import { Money } from '../domain/money';
import { PRICE_BOOK_CURRENCY } from '../domain/pricing';
import { SA } from '../domain/search-attributes';
import { PROFILES } from './activity-profiles';
import { approvalGate } from './approvalGate';
import { firstEventArrived, messagesTo, tell, trackSteps } from './process-kit';
import { STORE_REFUSALS_PATCH, storeRefusalOf } from './store-refusal';

const acts = proxyActivities<CustomerActivities>(PROFILES.customerCall);

/**
 * A new B2B customer from application to account: approver decision (approve with credit limit,
 * terms and price level; reject; or ask the applicant for more), reminders and escalation from the
 * store's rules, then the ERP customer, the customer mapping, the storefront account with its price
 * list and terms, and a welcome message.
 */
export async function customerApproval(input: CustomerWorkflowInput): Promise<CustomerApprovalStatus> {
  const workflowId = workflowInfo().workflowId;
  const status: CustomerApprovalStatus = {
    store: input.store,
    customerId: input.customerId,
    step: 'awaitingApplication',
    application: null,
    round: 0,
    escalated: false,
    infoRequests: [],
    decision: null,
    account: null,
    erpCustomerId: null,
    storefrontCustomerId: null,
    companyId: null,
  };
  let fromRegistration = false;
  const seenEvents = new Set<string>();
  const answers: ApplicantInfo[] = [];

  const gate = approvalGate({ outcomes: ['approve', 'reject', 'requestInfo'] });
  setHandler(customerStatusQuery, () => ({
    ...status,
    escalated: status.escalated || (gate.pending()?.escalated ?? false),
  }));
  setHandler(customerEventSignal, (event) => {
    if (seenEvents.has(event.eventId)) return;
    seenEvents.add(event.eventId);
    if (!status.application) {
      status.application = event.application;
      fromRegistration = event.topic === 'registration';
    } else if (
      status.step === 'awaitingApplication' ||
      status.step === 'awaitingDecision' ||
      status.step === 'awaitingApplicant'
    ) {
      status.application = { ...status.application, ...event.application };
    }
  });
  let retries = 0;
  setHandler(retryStorefrontAccountSignal, () => void (retries += 1));
  setHandler(applicantInfoSignal, (info) => {
    if (status.step !== 'awaitingApplicant' && status.step !== 'awaitingDecision') return;
    answers.push(info);
  });

  const setStep = trackSteps<CustomerStep>(status, 'customer', [
    { key: SA.store, value: input.store },
    { key: SA.customer, value: input.customerId },
  ]);

  if (!(await firstEventArrived(() => status.application !== null))) {
    setStep('abandoned');
    return status;
  }
  const policy = input.policy ?? (await acts.loadCustomerPolicy({ store: input.store }));
  const app = () => status.application as CustomerApplication;
  const toApplicant = messagesTo(
    workflowId,
    () => ({
      role: 'applicant',
      id: input.customerId,
      email: app().email,
      name: applicantName(app()),
      store: input.store,
    }),
    () => ({ customerId: input.customerId }),
  );
  const tellApplicant = (n: ReturnType<typeof toApplicant>) => tell('applicant', n);

  let approval: DecisionInput | undefined;
  while (!approval) {
    status.round += 1;
    setStep('awaitingDecision');
    const requested = app().requestedCreditLimit ?? policy.defaultCreditLimit;
    const wait = await gate.request(
      {
        approvalId: `${workflowId}:approval:${status.round}`,
        kind: 'customer',
        amount: requested,
        currency: null,
        summary: `New customer ${applicantName(app())} asks for ${requested} credit${app().requestedTerms ? ` on ${app().requestedTerms}` : ''}`,
        context: { application: app(), infoRequests: status.infoRequests, round: status.round },
      },
      {
        remindAfter: policy.reminderAfter,
        escalateAfter: policy.escalateAfter,
        expireAfter: policy.decisionTimeout,
      },
    );
    if (!wait.decided) {
      setStep('expired');
      await tellApplicant(
        toApplicant(
          'customer.expired',
          'Your account application',
          'We could not decide on your application in time; please contact us.',
        ),
      );
      return status;
    }
    const d = wait.decision;
    status.decision = {
      outcome: d.outcome,
      decidedBy: d.decidedBy.name,
      decidedAt: d.decidedAt,
      reason: d.reason ?? null,
    };
    if (d.outcome === 'reject') {
      setStep('rejected');
      await tellApplicant(
        toApplicant(
          'customer.rejected',
          'Your account application',
          d.reason ?? 'Your application was not approved.',
          { reason: d.reason ?? null },
        ),
      );
      return status;
    }
    if (d.outcome === 'requestInfo') {
      const question = d.reason ?? 'Please tell us more about your business.';
      status.infoRequests.push({ question, askedBy: d.decidedBy.name, answer: null });
      const answered = answers.length;
      setStep('awaitingApplicant');
      await tellApplicant(
        toApplicant(
          `customer.infoRequested.${status.round}`,
          'We need more information for your account',
          question,
          { question },
        ),
      );
      if (!(await condition(() => answers.length > answered, policy.infoTimeout))) {
        setStep('abandoned');
        return status;
      }
      const info = answers[answers.length - 1] as ApplicantInfo;
      const asked = status.infoRequests[status.infoRequests.length - 1];
      if (asked) asked.answer = info.message;
      status.application = { ...app(), ...(info.changes ?? {}) };
      continue;
    }
    approval = d;
  }

  // Provisioning: ERP customer (idempotent by external id, child of a parent account when named) → mapping → storefront.
  setStep('provisioning');
  const account = approvedAccount(app(), approval, policy);
  status.account = account;
  const erpCustomer = await acts.upsertErpCustomer({
    externalId: customerExternalId(input.store, input.customerId),
    companyName: applicantName(app()),
    email: app().email,
    creditLimit: account.creditLimit,
    terms: account.terms,
    priceLevel: account.priceLevel,
    taxExempt: account.taxExempt,
    taxId: app().taxId,
    parentErpId: app().parentErpCustomerId,
  });
  status.erpCustomerId = erpCustomer.erpId;
  // Credit figures are kept in the ERP's base currency.
  const erpMoney = (amount: string) => Money.of(amount, PRICE_BOOK_CURRENCY, 'halfUp');
  const headroom = erpMoney(erpCustomer.creditLimit ?? account.creditLimit)
    .minus(erpMoney(erpCustomer.balance))
    .max(Money.zero(PRICE_BOOK_CURRENCY))
    .toString();
  // The store may refuse the account (Shopify userErrors): the approval parks with the store's words
  // and an alert, and tries again when an operator says it is fixed.
  let storefrontCustomer: { customerId: string; companyId?: string } | undefined;
  while (!storefrontCustomer) {
    try {
      storefrontCustomer = await acts.upsertStorefrontCustomer({
        store: input.store,
        workflowId,
        customerId: fromRegistration ? undefined : input.customerId,
        email: app().email,
        firstName: app().firstName,
        lastName: app().lastName,
        companyName: app().companyName,
        priceList: account.priceList,
        paymentTermsName: account.terms,
        creditHeadroom: headroom,
        taxExempt: account.taxExempt,
        erpCustomerId: erpCustomer.erpId,
      });
    } catch (err) {
      const refused = storeRefusalOf(err);
      if (!refused || !patched(STORE_REFUSALS_PATCH)) throw err;
      const field = refused.refusals.find((r) => r.field)?.field ?? null;
      const reason = `${applicantName(app())} is approved and ERP customer ${erpCustomer.erpId} is made, but the store refused their account: ${refused.words}. Fix that in the store (or the approved terms and price list), then retry.`;
      status.attention = { kind: 'storeRefused', reason, field, since: new Date().toISOString() };
      await acts.raiseCustomerAlert({
        severity: 'warning',
        kind: 'customer.storeRefused',
        subject: `The store refused the account of ${applicantName(app())}`,
        message: reason,
        workflowId,
        dedupeKey: customerAttentionKey(workflowId),
        details: { customerId: input.customerId, erpCustomerId: erpCustomer.erpId, field },
      });
      const tried = retries;
      await condition(() => retries > tried);
    }
  }
  if (status.attention) {
    status.attention = null;
    await acts.resolveCustomerAlert({ dedupeKey: customerAttentionKey(workflowId) });
  }
  status.storefrontCustomerId = storefrontCustomer.customerId;
  status.companyId = storefrontCustomer.companyId ?? null;
  await acts.mapCustomer({
    store: input.store,
    storeCustomerId: storefrontCustomer.customerId,
    erpCustomerId: erpCustomer.erpId,
    by: approval.decidedBy.userId,
  });

  setStep('approved');
  await tellApplicant(
    toApplicant(
      'customer.welcome',
      `Welcome, ${applicantName(app())}`,
      `Your account is open with ${account.terms} terms and a credit limit of ${account.creditLimit}.`,
      {
        terms: account.terms,
        creditLimit: account.creditLimit,
        priceList: account.priceList,
      },
    ),
  );
  return status;
}

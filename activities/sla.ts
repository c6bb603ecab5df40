import { alertRepository, slaRulesConfig } from '../db/alerts';
import type { Db } from '../db/pool';
import { slaRepository, type SlaCandidate } from '../db/sla';
import { SLA_RULES, slaElapsedMs, type SlaRuleName, type SlaRules } from '../domain/alerting';
import { durationMs } from '../domain/duration';
import type { Logger } from '../platform/logger';

export interface SlaDeps {
  db: Db;
  log?: Logger;
}

export interface SlaCheckResult {
  rulesVersion: number;
  breached: number;
  raised: number;
  resolved: number;
}

/** The alert key of one breach: one alert per (rule, process step), resolved when the step moves on. */
export const slaAlertKey = (rule: SlaRuleName, subjectKey: string) => `sla:${rule}:${subjectKey}`;

const WORDS: Record<SlaRuleName, string> = {
  erpOrder: 'reach the ERP',
  shipment: 'ship',
  invoice: 'be invoiced',
  syncLag: 'catch up with the ERP',
  decision: 'be decided',
  customerDecision: 'be decided',
  returnInspection: 'be inspected',
};

/**
 * The SLA checker: reads one store's read models against the service levels, records each breach
 * once per (rule, process step) and raises its alert through the alert outbox, and resolves the
 * breach and its alert when the step has moved on. It reads and alerts only: no process is
 * signalled, failed or changed.
 */
export function createSlaActivities(deps: SlaDeps) {
  const sla = slaRepository(deps.db);
  const alerts = alertRepository(deps.db);

  async function candidates(store: string, rules: SlaRules, rule: SlaRuleName): Promise<SlaCandidate[]> {
    const ms = durationMs(rules[rule].within);
    switch (rule) {
      case 'erpOrder':
        return sla.waitingForErpOrder(store, ms);
      case 'shipment':
        return sla.waitingForShipment(store, ms);
      case 'invoice':
        return sla.waitingForInvoice(store, ms);
      case 'syncLag':
        return sla.lagging(store, ms);
      case 'decision':
        return sla.waitingForDecision(store, ms, { except: ['customer'] });
      case 'customerDecision':
        return sla.waitingForDecision(store, ms, { only: ['customer'] });
      case 'returnInspection':
        return sla.waitingForInspection(store, ms);
    }
  }

  return {
    /** One pass of the SLA checker over a store (run by the `slaCheck` schedule). */
    async checkSlas(input: { store: string; now?: string }): Promise<SlaCheckResult> {
      const { version, value: rules } = await slaRulesConfig.current(deps.db);
      const now = input.now ? new Date(input.now) : new Date();
      const open: SlaCandidate[] = [];
      for (const rule of SLA_RULES) {
        if (!rules[rule].enabled) continue;
        const within = durationMs(rules[rule].within);
        // Business-day rules read every calendar-older wait, then count only the weekdays.
        const found = (await candidates(input.store, rules, rule)).filter(
          (c) => slaElapsedMs(c.since, now, rules[rule].calendar) >= within,
        );
        open.push(...found);
      }
      let raised = 0;
      for (const c of open) {
        const threshold = `${rules[c.rule].within}${rules[c.rule].calendar === 'business' ? ' (business days)' : ''}`;
        const breach = await sla.record(input.store, c, threshold);
        if (!breach.needsAlert) continue;
        raised += 1;
        await alerts.raise({
          severity: rules.severity,
          kind: `sla.${c.rule}`,
          subject: `SLA breached: ${c.summary}`,
          message: `${c.summary}: it was due to ${WORDS[c.rule]} within ${threshold} and has waited since ${c.since.toISOString()}. The process goes on; act on it or adjust the service level.`,
          ...(c.workflowId ? { workflowId: c.workflowId } : {}),
          dedupeKey: slaAlertKey(c.rule, c.subjectKey),
          details: { rule: c.rule, subjectKey: c.subjectKey, since: c.since.toISOString(), threshold },
        });
        await sla.alerted(breach.id);
      }
      // A step that moved on (or whose rule was switched off) is no longer in breach.
      const resolved = await sla.over(input.store, SLA_RULES, open);
      for (const r of resolved) {
        await alerts.resolve(slaAlertKey(r.rule, r.subjectKey));
        await sla.resolved(r.id);
      }
      if (raised > 0 || resolved.length > 0)
        deps.log?.info(
          { store: input.store, breached: open.length, raised, resolved: resolved.length },
          'SLA check',
        );
      return { rulesVersion: version, breached: open.length, raised, resolved: resolved.length };
    },
  };
}

export type SlaActivities = ReturnType<typeof createSlaActivities>;

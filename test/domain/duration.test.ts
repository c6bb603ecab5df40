import { describe, expect, it } from 'vitest';
import { durationMs } from '../../domain/duration';
import { CustomerApprovalPolicy } from '../../domain/schemas/customer-rules';
import { ReturnPolicy } from '../../domain/schemas/return-rules';
import { BusinessRules } from '../../domain/schemas/rules';
import { DurationText } from '../../domain/schemas/formats';

describe('durations', () => {
  it('reads the short form of order rules and alert routing', () => {
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('15m')).toBe(900_000);
    expect(durationMs('4h')).toBe(4 * 3_600_000);
    expect(durationMs('7d')).toBe(7 * 86_400_000);
  });

  it('reads the long form of return and customer policies to the same figures', () => {
    expect(durationMs('15 minutes')).toBe(durationMs('15m'));
    expect(durationMs('4 hours')).toBe(durationMs('4h'));
    expect(durationMs('30 days')).toBe(durationMs('30d'));
    expect(durationMs('2 weeks')).toBe(durationMs('14d'));
    expect(durationMs('1.5 hours')).toBe(5_400_000);
  });

  it('is one format: every rule set accepts both forms and refuses anything else', () => {
    expect(
      BusinessRules.parse({ fulfillment: { refreshEvery: '15 minutes' } }).fulfillment.refreshEvery,
    ).toBe('15 minutes');
    expect(ReturnPolicy.parse({ receiveTimeout: '30d' }).receiveTimeout).toBe('30d');
    expect(CustomerApprovalPolicy.parse({ reminderAfter: '1d' }).reminderAfter).toBe('1d');
    for (const bad of ['soon', '15', 'm15', '-1h', ''])
      expect(DurationText.safeParse(bad).success).toBe(false);
    expect(() => durationMs('soon')).toThrow('not a duration: soon');
  });
});

import type { Db } from './pool';
import { CustomerApprovalPolicy } from '../domain/schemas/customer-rules';
import { ReturnPolicy } from '../domain/schemas/return-rules';

const SCHEMAS = { return: ReturnPolicy, customer: CustomerApprovalPolicy } as const;
type Process = keyof typeof SCHEMAS;
type PolicyOf<P extends Process> = P extends 'return' ? ReturnPolicy : CustomerApprovalPolicy;

/** Return and new-customer rules per store: validated by zod on save and on read, each save a new version. */
export function policyRepository(db: Db) {
  return {
    /** The store's rules with defaults for anything unset; the built-in defaults (version 0) when none saved. */
    async current<P extends Process>(
      store: string,
      process: P,
    ): Promise<{ version: number; policy: PolicyOf<P> }> {
      const res = await db.query<{ version: number; policy: unknown }>(
        'SELECT version, policy FROM process_policies WHERE store = $1 AND process = $2',
        [store, process],
      );
      const row = res.rows[0];
      return { version: row?.version ?? 0, policy: SCHEMAS[process].parse(row?.policy ?? {}) as PolicyOf<P> };
    },

    async save<P extends Process>(
      store: string,
      process: P,
      input: unknown,
      by: string,
    ): Promise<{ version: number; policy: PolicyOf<P> }> {
      const policy = SCHEMAS[process].parse(input) as PolicyOf<P>;
      const res = await db.query<{ version: number }>(
        `INSERT INTO process_policies (store, process, policy, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, process) DO UPDATE
           SET policy = EXCLUDED.policy, version = process_policies.version + 1, updated_at = now(), updated_by = EXCLUDED.updated_by
         RETURNING version`,
        [store, process, policy, by],
      );
      return { version: res.rows[0]?.version ?? 1, policy };
    },
  };
}

/** The ERP change poller's contract: what it is started with and what it reports (workflows/erpEvents.ts). */

export interface ErpCursors {
  fulfillments: string | null;
  invoices: string | null;
}

export interface ErpEventsInput {
  store: string;
  /** Where the previous run got to (null: resume from the cursor saved in Postgres, else from the start). */
  cursors: ErpCursors | null;
  /** Pause between polls once both feeds are drained. */
  pollEvery: string;
  pageSize: number;
}

export interface ErpEventsStatus {
  cursors: ErpCursors | null;
  polls: number;
  delivered: number;
  /** ERP documents whose order has no process in Quayside (entered in the ERP directly). */
  unmatched: number;
}

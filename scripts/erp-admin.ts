import { Command } from 'commander';
import { loadConfig } from '../platform/config';

/**
 * The sandbox ERP's warehouse, from the command line: ship, backorder, receive stock and returns,
 * invoice, and change fault injection. Orders are named by internal id or external id.
 */
const config = loadConfig();
const program = new Command()
  .name('erp-admin')
  .description('Warehouse simulation for the sandbox ERP (NetSuite dialect)')
  .option('--url <url>', 'sandbox ERP base URL', `http://${config.SANDBOX_HOST}:${config.SANDBOX_ERP_PORT}`);

const lineList = (value: string, previous: { lineKey: string; quantity?: number }[] = []) => {
  const [lineKey, qty] = value.split(':');
  if (!lineKey) throw new Error(`bad line ${value}; use <lineKey>[:<quantity>]`);
  return [...previous, { lineKey, ...(qty ? { quantity: Number(qty) } : {}) }];
};

async function call(method: string, path: string, body?: unknown): Promise<void> {
  const url = `${program.opts<{ url: string }>().url.replace(/\/$/, '')}/admin${path}`;
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const doc = JSON.parse(text) as { 'o:errorDetails'?: { detail: string }[] };
      message = doc['o:errorDetails']?.map((d) => d.detail).join('; ') ?? text;
    } catch {
      // not JSON
    }
    throw new Error(`${res.status}: ${message}`);
  }
  process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
}
const orderRef = (ref: string) => encodeURIComponent(ref);

program
  .command('ship <order>')
  .description('ship lines of a sales order from a location (all ready lines when no --line)')
  .requiredOption('-l, --location <id>', 'ERP location internal id (1 Chicago, 2 Newark, 3 Reno)')
  .option('-c, --carrier <name>', 'carrier, e.g. UPS')
  .option('-t, --tracking <number...>', 'tracking numbers')
  .option('--line <lineKey[:qty]>', 'a line to ship (repeatable)', lineList)
  .action(
    (
      order: string,
      o: {
        location: string;
        carrier?: string;
        tracking?: string[];
        line?: { lineKey: string; quantity?: number }[];
      },
    ) =>
      call('POST', `/sales-orders/${orderRef(order)}/ship`, {
        location: o.location,
        carrier: o.carrier,
        trackingNumbers: o.tracking ?? [],
        lines: o.line,
      }),
  );

program
  .command('backorder <order>')
  .description('mark lines of a sales order backordered')
  .requiredOption('--line <lineKey[:qty]>', 'a line to backorder (repeatable)', lineList)
  .action((order: string, o: { line: { lineKey: string; quantity?: number }[] }) =>
    call('POST', `/sales-orders/${orderRef(order)}/backorder`, { lines: o.line }),
  );

program
  .command('receive-stock <sku> <quantity>')
  .description('receive stock of an item (ERP name, e.g. P123) at a location; fills backorders first')
  .requiredOption('-l, --location <id>', 'ERP location internal id')
  .action((sku: string, quantity: string, o: { location: string }) =>
    call('POST', '/inventory/receive', { sku, location: o.location, quantity: Number(quantity) }),
  );

program
  .command('receive-return <returnAuthorization>')
  .description('receive returned goods against a return authorization (all lines when no --line)')
  .requiredOption('-l, --location <id>', 'ERP location internal id')
  .option('--line <lineKey[:qty]>', 'a line to receive (repeatable)', lineList)
  .action((ra: string, o: { location: string; line?: { lineKey: string; quantity?: number }[] }) =>
    call('POST', `/return-authorizations/${orderRef(ra)}/receive`, { location: o.location, lines: o.line }),
  );

program
  .command('invoice <order>')
  .description('invoice what has shipped on a sales order and is not billed yet')
  .option('--external-id <id>', 'external id of the invoice')
  .action((order: string, o: { externalId?: string }) =>
    call('POST', `/sales-orders/${orderRef(order)}/invoice`, { externalId: o.externalId }),
  );

program
  .command('show <order>')
  .description('show a sales order with its lines')
  .action((order: string) => call('GET', `/sales-orders/${orderRef(order)}`));

program
  .command('faults')
  .description('show or change fault injection (concurrency limit, latency, error rate, outage)')
  .option('--concurrency <n>', 'account concurrency limit (0 = unlimited)')
  .option('--latency <min[-max]>', 'latency in ms, e.g. 50-150')
  .option('--error-rate <p>', 'probability of an injected 500, 0..1')
  .option('--outage <ms>', 'start an outage now lasting this long')
  .option('--clear-outages', 'end every outage window')
  .action(
    (o: {
      concurrency?: string;
      latency?: string;
      errorRate?: string;
      outage?: string;
      clearOutages?: boolean;
    }) => {
      const patch: Record<string, unknown> = {};
      if (o.concurrency !== undefined) patch.concurrencyLimit = Number(o.concurrency);
      if (o.latency !== undefined) {
        const [min, max] = o.latency.split('-').map(Number);
        patch.latencyMinMs = min;
        patch.latencyMaxMs = max ?? min;
      }
      if (o.errorRate !== undefined) patch.errorRate = Number(o.errorRate);
      if (o.clearOutages) patch.outages = [];
      if (o.outage !== undefined) patch.outageForMs = Number(o.outage);
      return Object.keys(patch).length ? call('PUT', '/faults', patch) : call('GET', '/faults');
    },
  );

program
  .command('stats')
  .description('requests served, throttled and the most in flight at once')
  .action(() => call('GET', '/stats'));

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`erp-admin: ${(err as Error).message}\n`);
  process.exit(1);
});

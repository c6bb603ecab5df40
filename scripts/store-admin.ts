import { Command } from 'commander';
import { ShopifyAdminClient } from '../connectors/shopify/client';
import { loadConfig } from '../platform/config';

/**
 * The sandbox store's buyer simulator from the command line:
 *   npx tsx scripts/store-admin.ts order --email buyer@acme.test --company Acme --po PO-1 --line PROD-123:5 --line PROD-124:2
 */
const config = loadConfig();
const program = new Command('store-admin')
  .description(
    'Drive the sandbox store: place B2B orders, register customers, request returns; each sends its Shopify webhook.',
  )
  .option(
    '--url <url>',
    'sandbox store base URL',
    `http://${config.SANDBOX_HOST}:${config.SANDBOX_STORE_PORT}`,
  );

const collect = (value: string, previous: string[]) => [...previous, value];

async function call(path: string, body?: unknown): Promise<unknown> {
  const base = String(program.opts().url).replace(/\/+$/, '');
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

program
  .command('product')
  .description('create or update a product with stock per location')
  .requiredOption('--sku <sku>')
  .requiredOption('--price <price>', 'unit price, e.g. 12.50')
  .option('--title <title>')
  .option(
    '--stock <location=qty>',
    'stock at a location (repeatable), e.g. "Chicago Warehouse=40"',
    collect,
    [],
  )
  .option('--unpublished', 'do not publish it to the online store')
  .action(
    async (o: { sku: string; price: string; title?: string; stock: string[]; unpublished?: boolean }) => {
      const inventory = Object.fromEntries(
        o.stock.map((s) => {
          const i = s.lastIndexOf('=');
          return [s.slice(0, i), Number(s.slice(i + 1))];
        }),
      );
      print(
        await call('/sandbox/products', {
          sku: o.sku,
          price: o.price,
          title: o.title,
          inventory,
          published: !o.unpublished,
        }),
      );
    },
  );

program
  .command('customer')
  .description('register a new customer (customers/create)')
  .requiredOption('--email <email>')
  .option('--first <name>')
  .option('--last <name>')
  .option('--company <name>')
  .option('--note <note>')
  .action(async (o: { email: string; first?: string; last?: string; company?: string; note?: string }) => {
    print(
      await call('/sandbox/customers', {
        email: o.email,
        firstName: o.first,
        lastName: o.last,
        company: o.company,
        note: o.note,
      }),
    );
  });

program
  .command('order')
  .description('place a B2B order (orders/create)')
  .requiredOption('--email <email>', 'the buyer')
  .requiredOption('--line <sku:qty[:price]>', 'an order line (repeatable)', collect, [])
  .option('--company <name>', 'the buying company')
  .option('--location <name>', 'the company location it ships to')
  .option('--po <number>', 'purchase order number')
  .option('--project <code>', 'project code')
  .option('--note <note>')
  .option('--currency <code>', 'currency', 'USD')
  .action(
    async (o: {
      email: string;
      line: string[];
      company?: string;
      location?: string;
      po?: string;
      project?: string;
      note?: string;
      currency: string;
    }) => {
      const lines = o.line.map((l) => {
        const [sku, qty, price] = l.split(':');
        return { sku, quantity: Number(qty ?? 1), ...(price ? { price } : {}) };
      });
      print(
        await call('/sandbox/orders', {
          customerEmail: o.email,
          company: o.company,
          location: o.location,
          poNumber: o.po,
          projectCode: o.project,
          note: o.note,
          currency: o.currency,
          lines,
        }),
      );
    },
  );

program
  .command('update-order <orderId>')
  .description('change an order (orders/updated)')
  .option('--tag <tag>', 'replace the tags (repeatable)', collect, [])
  .option('--note <note>')
  .option('--po <number>')
  .action(async (orderId: string, o: { tag: string[]; note?: string; po?: string }) => {
    print(
      await call(`/sandbox/orders/${orderId}/update`, {
        tags: o.tag.length ? o.tag : undefined,
        note: o.note,
        poNumber: o.po,
      }),
    );
  });

program
  .command('cancel-order <orderId>')
  .description('cancel an order (orders/cancelled)')
  .option('--reason <reason>', 'customer, fraud, inventory, declined or other', 'customer')
  .action(async (orderId: string, o: { reason: string }) => {
    print(await call(`/sandbox/orders/${orderId}/cancel`, { reason: o.reason }));
  });

program
  .command('return <orderId>')
  .description('request a return (returns/request)')
  .requiredOption('--line <sku:qty[:reason]>', 'a returned line (repeatable)', collect, [])
  .action(async (orderId: string, o: { line: string[] }) => {
    const lines = o.line.map((l) => {
      const [sku, qty, reason] = l.split(':');
      return { sku, quantity: Number(qty ?? 1), ...(reason ? { reason } : {}) };
    });
    print(await call('/sandbox/returns', { orderId, lines }));
  });

program
  .command('show-order <orderId>')
  .description("print an order as Shopify's REST JSON")
  .action(async (orderId: string) => {
    print(await call(`/sandbox/orders/${orderId}`));
  });

program
  .command('deliveries')
  .description('recent webhook deliveries and their outcome')
  .option('--limit <n>', 'how many', '20')
  .action(async (o: { limit: string }) => {
    print(await call(`/sandbox/deliveries?limit=${Number(o.limit)}`));
  });

program
  .command('subscriptions')
  .description('webhook subscriptions, read through the Admin GraphQL API')
  .action(async () => {
    const client = new ShopifyAdminClient({
      adminUrl: String(program.opts().url),
      accessToken: config.SHOPIFY_ACCESS_TOKEN,
      apiVersion: config.SHOPIFY_API_VERSION,
    });
    print(
      await client.request('query { webhookSubscriptions(first: 100) { nodes { id topic uri createdAt } } }'),
    );
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`store-admin: ${(err as Error).message}\n`);
  process.exit(1);
});

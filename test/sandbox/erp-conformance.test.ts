import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, startErpSandbox, type RunningErpSandbox } from '../erp/harness';

/**
 * What a client written from NetSuite's public documentation (SuiteTalk REST web services: record
 * collections, collection paging and filtering, error handling, token-based authentication,
 * SuiteQL, concurrency governance) may expect of the sandbox ERP. The requests are built here from
 * those documents — OAuth 1.0a signing included — and never through Quayside's connector.
 */

// ------------------------------------------------------------------ an independent TBA client

const pct = (v: string) =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface Creds {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

/** RFC 5849 with HMAC-SHA256, realm = account id, as NetSuite's token-based authentication asks. */
function tba(method: string, url: URL, creds: Creds, nonce = randomBytes(12).toString('hex')): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: creds.consumerKey,
    oauth_token: creds.tokenId,
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_nonce: nonce,
    oauth_version: '1.0',
  };
  const params = [...url.searchParams, ...Object.entries(oauth)]
    .map(([k, v]) => [pct(k), pct(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [method, pct(`${url.protocol}//${url.host}${url.pathname}`), pct(params)].join('&');
  const signature = createHmac('sha256', `${pct(creds.consumerSecret)}&${pct(creds.tokenSecret)}`)
    .update(base)
    .digest('base64');
  const fields = { ...oauth, oauth_signature: signature };
  return `OAuth realm="${creds.accountId}", ${Object.entries(fields)
    .map(([k, v]) => `${k}="${pct(v)}"`)
    .join(', ')}`;
}

interface Answer<T = Record<string, unknown>> {
  status: number;
  type: string;
  headers: Headers;
  body: T;
}

async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; creds?: Creds; authorization?: string } = {},
): Promise<Answer<T>> {
  const url = new URL(`${base}/services/rest/${path}`);
  const res = await fetch(url, {
    method,
    headers: {
      Authorization: opts.authorization ?? tba(method, url, opts.creds ?? CREDENTIALS),
      Accept: 'application/json',
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...opts.headers,
    },
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    body: (text ? JSON.parse(text) : null) as T,
  };
}

const suiteql = (base: string, q: string, query = '') =>
  call<{ items: Record<string, string>[]; totalResults: number }>(base, 'POST', `query/v1/suiteql${query}`, {
    body: { q },
    headers: { Prefer: 'transient' },
  });

/** NetSuite's error document: type, title, status and o:errorDetails [{detail, o:errorCode, o:errorPath?}]. */
function expectError(a: Answer, status: number, code: string, path?: string) {
  expect(a.status).toBe(status);
  expect(a.type).toMatch(/json/);
  expect(a.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  const details = a.body['o:errorDetails'] as {
    detail: string;
    'o:errorCode': string;
    'o:errorPath'?: string;
  }[];
  expect(details.length).toBeGreaterThan(0);
  expect(details[0]!.detail).toEqual(expect.any(String));
  expect(details[0]!['o:errorCode']).toBe(code);
  if (path !== undefined) expect(details[0]!['o:errorPath']).toBe(path);
}

interface Collection {
  links: { rel: string; href: string }[];
  count: number;
  hasMore: boolean;
  items: { links: { rel: string; href: string }[]; id: string }[];
  offset: number;
  totalResults: number;
}

/** The account's default date format (M/D/YYYY) for a day of the account's time zone. */
const accountDay = (at: Date, zone: string) =>
  new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).format(at);
const accountWall = (at: Date, zone: string) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
};

// ------------------------------------------------------------------ the suite

describe('sandbox ERP conformance with NetSuite REST web services', () => {
  let erp: RunningErpSandbox;
  let base: string;
  const ZONE = 'America/Los_Angeles';

  beforeAll(async () => {
    erp = await startErpSandbox({ skus: 60, customers: 12 });
    base = erp.url;
  });
  afterAll(async () => {
    await erp?.close();
  });

  describe('record collections and paging', () => {
    it('answers a collection read with links, count, hasMore, items of {links, id}, offset and totalResults', async () => {
      const a = await call<Collection>(base, 'GET', 'record/v1/customer?limit=1');
      expect(a.status).toBe(200);
      expect(Object.keys(a.body).sort()).toEqual([
        'count',
        'hasMore',
        'items',
        'links',
        'offset',
        'totalResults',
      ]);
      expect(a.body).toMatchObject({ count: 1, hasMore: true, offset: 0, totalResults: 12 });
      const [item] = a.body.items;
      expect(item!.id).toMatch(/^\d+$/);
      expect(item!.links).toEqual([
        { rel: 'self', href: expect.stringContaining(`/record/v1/customer/${item!.id}`) },
      ]);
      expect(a.body.links.map((l) => l.rel)).toEqual(expect.arrayContaining(['self', 'next', 'last']));
      // The item's self link reads the record.
      const rec = await call(
        base,
        'GET',
        new URL(item!.links[0]!.href).pathname.replace('/services/rest/', ''),
      );
      expect(rec.status).toBe(200);
      expect(rec.body.id).toBe(item!.id);
    });

    it('pages with limit and offset: following the next links visits every record once', async () => {
      const seen: string[] = [];
      let path: string | null = 'record/v1/customer?limit=5';
      let pages = 0;
      while (path && pages++ < 10) {
        const a: Answer<Collection> = await call<Collection>(base, 'GET', path);
        expect(a.status).toBe(200);
        expect(a.body.count).toBe(a.body.items.length);
        expect(a.body.offset).toBe(seen.length);
        seen.push(...a.body.items.map((i) => i.id));
        const next = a.body.links.find((l) => l.rel === 'next');
        expect(!!next).toBe(a.body.hasMore);
        path = next
          ? new URL(next.href).pathname.replace('/services/rest/', '') + new URL(next.href).search
          : null;
      }
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(12);
      const past = await call<Collection>(base, 'GET', 'record/v1/customer?limit=5&offset=100');
      expect(past.body).toMatchObject({ count: 0, hasMore: false, items: [], totalResults: 12 });
    });

    it('refuses a page size over 1000 in the error format', async () => {
      expectError(await call(base, 'GET', 'record/v1/customer?limit=1001'), 400, 'INVALID_PARAMETER');
    });

    it.each(['inventoryItem', 'location', 'priceLevel', 'term', 'salesOrder', 'invoice', 'itemFulfillment'])(
      'lists %s records and reads each by id',
      async (type) => {
        if (type === 'salesOrder' || type === 'invoice' || type === 'itemFulfillment') {
          const so = await call(base, 'POST', 'record/v1/salesOrder', {
            body: {
              entity: { id: '1' },
              item: { items: [{ item: { id: '1' }, quantity: 1, location: { id: '1' } }] },
            },
          });
          expect(so.status).toBe(204);
          const soPath = new URL(so.headers.get('location')!).pathname.replace('/services/rest/', '');
          if (type !== 'salesOrder') {
            const to = await call(base, 'POST', `${soPath}/!transform/itemFulfillment`, {
              body: { inventoryLocation: { id: '1' } },
            });
            expect(to.status).toBe(204);
            if (type === 'invoice')
              expect((await call(base, 'POST', `${soPath}/!transform/invoice`, { body: {} })).status).toBe(
                204,
              );
          }
        }
        const list = await call<Collection>(base, 'GET', `record/v1/${type}?limit=2`);
        expect(list.status).toBe(200);
        expect(list.body.totalResults).toBeGreaterThan(0);
        const id = list.body.items[0]!.id;
        const rec = await call(base, 'GET', `record/v1/${type}/${id}`);
        expect(rec.status).toBe(200);
        expect(rec.body).toMatchObject({
          id,
          links: [{ rel: 'self', href: expect.stringContaining(`/${type}/${id}`) }],
        });
      },
    );

    it('reads an inventory item with its item id and stock per location', async () => {
      const list = await call<Collection>(base, 'GET', 'record/v1/inventoryItem?q=itemId IS "P1"');
      expect(list.body.totalResults).toBe(1);
      const rec = await call<{ itemId: string; locations: { items: { location: { id: string } }[] } }>(
        base,
        'GET',
        `record/v1/inventoryItem/${list.body.items[0]!.id}`,
      );
      expect(rec.body.itemId).toBe('P1');
      expect(rec.body.locations.items.length).toBeGreaterThan(0);
    });
  });

  describe('collection filtering with q', () => {
    const ids = async (q: string, type = 'customer') => {
      const a = await call<Collection>(base, 'GET', `record/v1/${type}?q=${encodeURIComponent(q)}`);
      expect(a.status).toBe(200);
      return a.body.items.map((i) => Number(i.id));
    };

    it('filters strings with START_WITH, CONTAIN and IS, case-insensitively', async () => {
      const one = await call<{ email: string; companyName: string }>(base, 'GET', 'record/v1/customer/3');
      const { email, companyName } = one.body;
      expect(await ids(`email START_WITH "${email.slice(0, email.indexOf('@')).toUpperCase()}"`)).toContain(
        3,
      );
      expect(await ids(`companyName CONTAIN "${companyName.slice(1, -1).toLowerCase()}"`)).toContain(3);
      expect(await ids(`companyName IS "${companyName}"`)).toEqual([3]);
      expect(await ids(`companyName IS_NOT "${companyName}"`)).not.toContain(3);
      expect(await ids(`email START_WITH "nobody-by-this-name"`)).toEqual([]);
    });

    it('filters numbers with ANY_OF, BETWEEN and comparisons, joined with AND / OR', async () => {
      expect(await ids('id ANY_OF [1, 2]')).toEqual([1, 2]);
      expect(await ids('id BETWEEN [3, 5]')).toEqual([3, 4, 5]);
      expect(await ids('id LESS 3 OR id GREATER_OR_EQUAL 11')).toEqual([1, 2, 11, 12]);
      expect(await ids('(id LESS 3 OR id GREATER 10) AND id ANY_OF_NOT [2, 12]')).toEqual([1, 11]);
    });

    it('filters dates as days of the account time zone', async () => {
      const before = new Date();
      const patched = await call(base, 'PATCH', 'record/v1/customer/4', {
        body: { email: 'changed@example.com' },
      });
      expect(patched.status).toBe(204);
      const today = accountDay(before, ZONE);
      expect(await ids(`lastModifiedDate ON_OR_AFTER "${today}"`)).toContain(4);
      expect(await ids(`lastModifiedDate ON "${today}"`)).toContain(4);
      expect(await ids(`lastModifiedDate AFTER "${today}"`)).not.toContain(4);
      expect(await ids(`lastModifiedDate BEFORE "${today}"`)).not.toContain(4);
    });

    it('answers a filter it cannot read in the error format', async () => {
      for (const q of [
        'nosuchfield IS "x"',
        'companyName GREATER 3',
        'id ANY_OF [1,',
        'lastModifiedDate ON "tomorrow"',
      ])
        expectError(
          await call(base, 'GET', `record/v1/customer?q=${encodeURIComponent(q)}`),
          400,
          'INVALID_PARAMETER',
        );
    });
  });

  describe('SuiteQL', () => {
    it('pages with limit and offset, and requires Prefer: transient', async () => {
      const a = await suiteql(base, 'SELECT id FROM customer ORDER BY id', '?limit=5&offset=5');
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ count: 5, hasMore: true, offset: 5, totalResults: 12 });
      expect(a.body.items.map((r) => r.id)).toEqual(['6', '7', '8', '9', '10']);
      const noPrefer = await call(base, 'POST', 'query/v1/suiteql', {
        body: { q: 'SELECT id FROM customer' },
      });
      expectError(noPrefer, 400, 'INVALID_PARAMETER');
      expectError(await suiteql(base, 'SELECT nosuchcolumn FROM customer'), 400, 'INVALID_PARAMETER');
    });

    it("renders dates in the account's time zone and reads date literals in it", async () => {
      const before = new Date(Date.now() - 1_000);
      const patched = await call(base, 'PATCH', 'record/v1/customer/5', {
        body: { email: 'tz@example.com' },
      });
      expect(patched.status).toBe(204);
      const after = new Date(Date.now() + 1_000);
      const fmt = 'YYYY-MM-DD HH24:MI:SS';
      const row = (
        await suiteql(base, `SELECT TO_CHAR(lastmodifieddate, '${fmt}') AS at FROM customer WHERE id = 5`)
      ).body.items[0]!;
      expect(row.at! >= accountWall(before, ZONE) && row.at! <= accountWall(after, ZONE)).toBe(true);
      const plain = (await suiteql(base, 'SELECT lastmodifieddate FROM customer WHERE id = 5')).body
        .items[0]!;
      expect(plain.lastmodifieddate).toBe(accountDay(before, ZONE));
      const since = async (at: Date) =>
        (
          await suiteql(
            base,
            `SELECT id FROM customer WHERE id = 5 AND lastmodifieddate >= TO_TIMESTAMP('${accountWall(at, ZONE)}', '${fmt}')`,
          )
        ).body.totalResults;
      expect(await since(before)).toBe(1);
      expect(await since(after)).toBe(0);
    });
  });

  describe('errors', () => {
    it('answers an unknown record type, a missing record and a malformed body in the error format', async () => {
      expectError(await call(base, 'GET', 'record/v1/nosuchtype/1'), 404, 'INVALID_RCRD_TYPE');
      expectError(await call(base, 'GET', 'record/v1/customer/999999'), 404, 'NONEXISTENT_ID');
      expectError(
        await call(base, 'POST', 'record/v1/customer', { body: '{"companyName": ' }),
        400,
        'INVALID_CONTENT',
      );
    });

    it('names the field at fault in o:errorPath', async () => {
      const a = await call(base, 'POST', 'record/v1/salesOrder', {
        body: { entity: { id: '1' }, item: { items: [{ item: { id: '999999' }, quantity: 1 }] } },
      });
      expectError(a, 400, 'INVALID_KEY_OR_REF', 'item.items[0].item');
    });

    it('accepts sales order lines without a location while "make locations mandatory" is off', async () => {
      const a = await call(base, 'POST', 'record/v1/salesOrder', {
        body: { entity: { id: '2' }, item: { items: [{ item: { id: '1' }, quantity: 2 }] } },
      });
      expect(a.status).toBe(204);
      const so = await call<{ item: { items: { location?: unknown; quantity: number }[] } }>(
        base,
        'GET',
        `${new URL(a.headers.get('location')!).pathname.replace('/services/rest/', '')}?expandSubResources=true`,
      );
      expect(so.body.item.items[0]).toMatchObject({ quantity: 2 });
      expect(so.body.item.items[0]!.location).toBeUndefined();
    });
  });

  describe('token-based authentication (OAuth 1.0a)', () => {
    const wrong = (k: keyof Creds) => ({ ...CREDENTIALS, [k]: `${CREDENTIALS[k]}-wrong` });

    it.each([
      ['no Authorization header', { authorization: '' }],
      ['a wrong token secret', { creds: wrong('tokenSecret') }],
      ['a wrong consumer key', { creds: wrong('consumerKey') }],
      ['another account as realm', { creds: wrong('accountId') }],
      ['basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
    ])('answers 401 INVALID_LOGIN to %s', async (_why, opts) => {
      expectError(await call(base, 'GET', 'record/v1/customer/1', opts), 401, 'INVALID_LOGIN');
    });

    it('refuses a nonce used twice', async () => {
      const url = new URL(`${base}/services/rest/record/v1/customer/1`);
      const authorization = tba('GET', url, CREDENTIALS, 'the-same-nonce');
      expect((await call(base, 'GET', 'record/v1/customer/1', { authorization })).status).toBe(200);
      expectError(await call(base, 'GET', 'record/v1/customer/1', { authorization }), 401, 'INVALID_LOGIN');
    });
  });
});

describe('sandbox ERP account preferences and governance', () => {
  let strict: RunningErpSandbox;
  let limited: RunningErpSandbox;
  beforeAll(async () => {
    [strict, limited] = await Promise.all([
      startErpSandbox({ skus: 20, customers: 3, preferences: { locationsMandatory: true } }),
      startErpSandbox({
        skus: 20,
        customers: 3,
        faults: { concurrencyLimit: 2, latencyMinMs: 150, latencyMaxMs: 150 },
      }),
    ]);
  });
  afterAll(async () => {
    await strict?.close();
    await limited?.close();
  });

  it('asks for a location on each line when "make locations mandatory" is on', async () => {
    const a = await call(strict.url, 'POST', 'record/v1/salesOrder', {
      body: { entity: { id: '1' }, item: { items: [{ item: { id: '1' }, quantity: 1 }] } },
    });
    expectError(a, 400, 'USER_ERROR', 'item.items[0].location');
  });

  it('reads the concurrency limit from governanceLimits and answers 429 over it', async () => {
    const limits = await call(limited.url, 'GET', 'system/v1/governanceLimits');
    expect(limits.body).toMatchObject({ accountConcurrencyLimit: 2 });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call(limited.url, 'GET', 'record/v1/customer?limit=1')),
    );
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThan(0);
    expect(ok.length + refused.length).toBe(6);
    for (const r of refused) expectError(r, 429, 'CONCURRENCY_LIMIT_EXCEEDED');
    // Once the others finish, the same request goes through.
    expect((await call(limited.url, 'GET', 'record/v1/customer?limit=1')).status).toBe(200);
  });
});

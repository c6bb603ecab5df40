import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import {
  execute,
  getNamedType,
  GraphQLError,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Logger } from '../../platform/logger';
import { MAX_PAGE, pagingFieldResolver } from './connections';
import { gid, idOf, type StoreDb } from './db';
import type { WebhookDispatcher } from './webhooks';

/**
 * Shopify's bulk operation queries (https://shopify.dev/docs/api/usage/bulk-operations/queries):
 * `bulkOperationRunQuery(query:)` answers at once with an operation in status CREATED, runs the query
 * in the background outside the cost bucket, and leaves its result as a JSONL file behind a signed URL
 * (no access token needed, valid for seven days). Each node of a connection is a line of its own; a node of
 * a nested connection carries `__parentId`, the id of the connection node it belongs to, and follows
 * its parent. `currentBulkOperation(type:)` and `node(id:)` tell the status and `objectCount` as it
 * runs; `bulk_operations/finish` is sent to its subscribers when it ends. The documented restrictions
 * are enforced: at least one connection (here: the query's one top-level field), at most five, nested
 * at most two deep, and a node that holds a nested connection must select its `id`. From API 2026-01 up
 * to five bulk queries run at once per shop (LIMIT_REACHED beyond), before that one
 * (OPERATION_IN_PROGRESS). Bulk mutations (`bulkOperationRunMutation`) are not emulated: Shopify does
 * not take `inventorySetQuantities` in them, which is what Quayside would need them for.
 */
export const BULK_SDL = /* GraphQL */ `
  scalar UnsignedInt64
  interface Node {
    id: ID!
  }
  enum BulkOperationStatus {
    CANCELED
    CANCELING
    COMPLETED
    CREATED
    EXPIRED
    FAILED
    RUNNING
  }
  enum BulkOperationErrorCode {
    ACCESS_DENIED
    INTERNAL_SERVER_ERROR
    TIMEOUT
  }
  enum BulkOperationType {
    QUERY
    MUTATION
  }
  enum BulkOperationUserErrorCode {
    INVALID
    LIMIT_REACHED
    OPERATION_IN_PROGRESS
  }
  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    errorCode: BulkOperationErrorCode
    createdAt: DateTime!
    completedAt: DateTime
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    fileSize: UnsignedInt64
    url: URL
    partialDataUrl: URL
    query: String!
    type: BulkOperationType!
  }
  type BulkOperationUserError {
    field: [String!]
    message: String!
    code: BulkOperationUserErrorCode
  }
  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }
  type BulkOperationCancelPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }
  extend type Query {
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    node(id: ID!): Node
  }
  extend type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean): BulkOperationRunQueryPayload
    bulkOperationCancel(id: ID!): BulkOperationCancelPayload
  }
  extend enum WebhookSubscriptionTopic {
    BULK_OPERATIONS_FINISH
  }
`;

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;
const URL_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/** The alias under which the runner reads each connection's paging, never written to the file. */
const PAGE_INFO = '__bulkPageInfo';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Root = Record<string, unknown>;

interface BulkUserError {
  field: string[] | null;
  message: string;
  code: 'INVALID' | 'LIMIT_REACHED' | 'OPERATION_IN_PROGRESS';
}

/** What a request's resolvers need to know to build an operation's object (its signed URL's host). */
export interface BulkRequestContext {
  /** `http://host:port` as the client reached the store. */
  baseUrl: string;
  apiVersion: string;
  scopes: readonly string[];
}

export interface BulkRunnerOptions {
  db: StoreDb;
  webhooks: WebhookDispatcher;
  schema: GraphQLSchema;
  /** The store's root resolvers for a token with these scopes, as a query over HTTP would get them. */
  rootFor: (apiVersion: string, scopes: readonly string[]) => Root;
  /** Signs the result URLs. */
  secret: string;
  /** How long an operation stays CREATED before it runs (default 0; real operations take seconds to start). */
  startDelayMs?: number;
  log?: Logger;
}

// ---- the query's shape ----------------------------------------------------------------------------

interface Analysis {
  /** Every field of the query that returns a connection. */
  connections: Set<FieldNode>;
  root: FieldNode;
}

const field = (name: string, selections: FieldNode[] = [], alias?: string): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
  ...(selections.length ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
});

/** The selection of one node of a connection field: `edges { node { … } }` or `nodes { … }`. */
function nodeSelection(conn: FieldNode): SelectionSetNode[] {
  const out: SelectionSetNode[] = [];
  for (const s of conn.selectionSet?.selections ?? []) {
    if (s.kind !== Kind.FIELD) continue;
    if (s.name.value === 'nodes' && s.selectionSet) out.push(s.selectionSet);
    if (s.name.value === 'edges')
      for (const e of s.selectionSet?.selections ?? [])
        if (e.kind === Kind.FIELD && e.name.value === 'node' && e.selectionSet) out.push(e.selectionSet);
  }
  return out;
}

/** Whether a selection holds a connection (not counting what lies inside that connection). */
function holdsConnection(set: SelectionSetNode, connections: Set<FieldNode>): boolean {
  return set.selections.some((s) => {
    if (s.kind === Kind.FIELD)
      return connections.has(s) || (!!s.selectionSet && holdsConnection(s.selectionSet, connections));
    if (s.kind === Kind.INLINE_FRAGMENT) return holdsConnection(s.selectionSet, connections);
    return false;
  });
}

function analyse(schema: GraphQLSchema, doc: DocumentNode): Analysis | string {
  const operations = doc.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) return 'Bulk queries must contain exactly one operation.';
  const op = operations[0]!;
  if (op.operation !== 'query') return 'Bulk queries cannot run mutations: use bulkOperationRunMutation.';
  const roots = op.selectionSet.selections;
  if (roots.length !== 1 || roots[0]!.kind !== Kind.FIELD)
    return 'Bulk queries must have exactly one top-level field, a connection.';
  const connections = new Set<FieldNode>();
  const typeInfo = new TypeInfo(schema);
  let depth = 0;
  let tooDeep = false;
  visit(
    doc,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const type = typeInfo.getType();
          if (type && getNamedType(type).name.endsWith('Connection') && node.alias?.value !== PAGE_INFO) {
            connections.add(node);
            depth += 1;
            if (depth > MAX_DEPTH) tooDeep = true;
          }
        },
        leave(node) {
          if (connections.has(node)) depth -= 1;
        },
      },
    }),
  );
  const root = roots[0] as FieldNode;
  if (!connections.has(root))
    return 'Bulk queries must contain at least one connection, as their top-level field.';
  if (connections.size > MAX_CONNECTIONS)
    return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  if (tooDeep)
    return `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_DEPTH}.`;
  for (const conn of connections) {
    for (const set of nodeSelection(conn)) {
      if (!holdsConnection(set, connections)) continue;
      const selectsId = set.selections.some(
        (s) => s.kind === Kind.FIELD && s.name.value === 'id' && !s.alias,
      );
      if (!selectsId)
        return `The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': ${conn.name.value}.`;
    }
  }
  return { connections, root };
}

/**
 * The query as the runner executes one page of it: every connection takes `first: 250` (the root also
 * `after:` the previous page) in place of whatever paging it had, and selects its `pageInfo`.
 */
function pageDocument(doc: DocumentNode, a: Analysis, after: string | null): DocumentNode {
  const intArg = (name: string, value: number): ArgumentNode => ({
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: name },
    value: { kind: Kind.INT, value: String(value) },
  });
  const stringArg = (name: string, value: string): ArgumentNode => ({
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: name },
    value: { kind: Kind.STRING, value },
  });
  return visit(doc, {
    Field: {
      enter(node) {
        if (!a.connections.has(node)) return undefined;
        const args = (node.arguments ?? []).filter(
          (x) => !['first', 'last', 'after', 'before'].includes(x.name.value),
        );
        args.push(intArg('first', MAX_PAGE));
        if (node === a.root && after) args.push(stringArg('after', after));
        return {
          ...node,
          arguments: args,
          selectionSet: {
            kind: Kind.SELECTION_SET,
            selections: [
              ...(node.selectionSet?.selections ?? []),
              field('pageInfo', [field('hasNextPage'), field('endCursor')], PAGE_INFO),
            ],
          },
        };
      },
    },
  });
}

// ---- the result's lines ---------------------------------------------------------------------------

const isConnection = (v: unknown): v is Row => !!v && typeof v === 'object' && PAGE_INFO in v;
const nodesOf = (conn: Row): Row[] =>
  Array.isArray(conn.edges)
    ? conn.edges.map((e: Row) => e.node)
    : Array.isArray(conn.nodes)
      ? conn.nodes
      : [];

/** A node's own line (nested connections left out) and its nested connections' nodes, in order. */
function flatten(node: Row, parentId: string | null, out: string[]): number {
  const children: Row[] = [];
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (!v || typeof v !== 'object') return v;
    if (isConnection(v)) {
      children.push(...nodesOf(v));
      return undefined;
    }
    const o: Row = {};
    for (const [k, x] of Object.entries(v)) {
      const c = copy(x);
      if (c !== undefined) o[k] = c;
    }
    return o;
  };
  const own = copy(node) as Row;
  if (parentId) own.__parentId = parentId;
  out.push(JSON.stringify(own));
  let n = 1;
  for (const child of children) n += flatten(child, typeof node.id === 'string' ? node.id : null, out);
  return n;
}

// ---- the runner -----------------------------------------------------------------------------------

export function createBulkRunner(opts: BulkRunnerOptions) {
  const { db } = opts;
  const running = new Set<Promise<void>>();
  let closed = false;

  const sign = (id: string, expires: number) =>
    createHmac('sha256', opts.secret).update(`bulk:${id}:${expires}`).digest('hex');
  const resultUrl = (base: string, id: string, kind: 'result' | 'partial', completedAt: Date) => {
    const expires = completedAt.getTime() + URL_LIFETIME_MS;
    return `${base}/bulk-operations/${id}/${kind}.jsonl?expires=${expires}&signature=${sign(`${id}:${kind}`, expires)}`;
  };

  const operationNode = (r: Row, ctx: BulkRequestContext) => {
    const completed = r.completed_at as Date | null;
    const expired = completed !== null && Date.now() > completed.getTime() + URL_LIFETIME_MS;
    return {
      __typename: 'BulkOperation',
      id: gid('BulkOperation', r.id),
      status: expired && r.status === 'COMPLETED' ? 'EXPIRED' : r.status,
      errorCode: r.error_code,
      createdAt: (r.created_at as Date).toISOString(),
      completedAt: completed?.toISOString() ?? null,
      objectCount: String(r.object_count),
      rootObjectCount: String(r.root_object_count),
      fileSize: r.file_size === null ? null : String(r.file_size),
      url:
        r.status === 'COMPLETED' && !expired && Number(r.object_count) > 0
          ? resultUrl(ctx.baseUrl, r.id, 'result', completed!)
          : null,
      partialDataUrl:
        r.status === 'FAILED' && r.has_partial && !expired
          ? resultUrl(ctx.baseUrl, r.id, 'partial', completed!)
          : null,
      query: r.query,
      type: r.type,
    };
  };
  const COLUMNS =
    'id, type, status, query, error_code, object_count, root_object_count, file_size, created_at, completed_at, partial_result IS NOT NULL AS has_partial';
  const byId = async (id: string) =>
    (await db.query<Row>(`SELECT ${COLUMNS} FROM bulk_operations WHERE id = $1`, [id])).rows[0];

  async function finish(
    id: string,
    status: string,
    errorCode: string | null,
    lines: string[] | null,
    partial: string[] | null,
  ) {
    const text = lines && lines.length ? `${lines.join('\n')}\n` : null;
    const row = (
      await db.query<Row>(
        `UPDATE bulk_operations SET status = $2, error_code = $3, result = $4, partial_result = $5,
           file_size = $6, completed_at = now() WHERE id = $1 RETURNING created_at, completed_at`,
        [
          id,
          status,
          errorCode,
          text,
          partial && partial.length ? `${partial.join('\n')}\n` : null,
          text ? Buffer.byteLength(text) : null,
        ],
      )
    ).rows[0]!;
    await opts.webhooks.emit('bulk_operations/finish', {
      admin_graphql_api_id: gid('BulkOperation', id),
      completed_at: (row.completed_at as Date).toISOString(),
      created_at: (row.created_at as Date).toISOString(),
      error_code: errorCode ? errorCode.toLowerCase() : null,
      status: status.toLowerCase(),
      type: 'query',
    });
  }

  async function run(
    id: string,
    doc: DocumentNode,
    a: Analysis,
    apiVersion: string,
    scopes: readonly string[],
  ) {
    await db.query(`UPDATE bulk_operations SET status = 'RUNNING' WHERE id = $1`, [id]);
    const lines: string[] = [];
    let roots = 0;
    let after: string | null = null;
    const key = a.root.alias?.value ?? a.root.name.value;
    for (;;) {
      if (closed) return;
      const state = (
        await db.query<{ status: string }>('SELECT status FROM bulk_operations WHERE id = $1', [id])
      ).rows[0]?.status;
      if (state === 'CANCELING') {
        await finish(id, 'CANCELED', null, null, null);
        return;
      }
      const result = await execute({
        schema: opts.schema,
        document: pageDocument(doc, a, after),
        rootValue: opts.rootFor(apiVersion, scopes),
        fieldResolver: pagingFieldResolver,
      });
      if (result.errors?.length) {
        const denied = result.errors.some((e) => e.extensions?.code === 'ACCESS_DENIED');
        if (!denied) opts.log?.warn({ errors: result.errors }, 'sandbox store bulk query failed');
        await finish(id, 'FAILED', denied ? 'ACCESS_DENIED' : 'INTERNAL_SERVER_ERROR', null, lines);
        return;
      }
      const conn = (result.data as Row | null | undefined)?.[key] as Row | undefined;
      for (const node of conn ? nodesOf(conn) : []) {
        flatten(node, null, lines);
        roots += 1;
      }
      await db.query('UPDATE bulk_operations SET object_count = $2, root_object_count = $3 WHERE id = $1', [
        id,
        lines.length,
        roots,
      ]);
      const info = conn?.[PAGE_INFO] as { hasNextPage: boolean; endCursor: string | null } | undefined;
      if (!info?.hasNextPage || !info.endCursor) break;
      after = info.endCursor;
    }
    await finish(id, 'COMPLETED', null, lines, null);
  }

  function start(id: string, doc: DocumentNode, a: Analysis, apiVersion: string, scopes: readonly string[]) {
    const p: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, opts.startDelayMs ?? 0))
      .then(() => run(id, doc, a, apiVersion, scopes))
      .catch(async (err: unknown) => {
        opts.log?.error({ err }, 'sandbox store bulk operation failed');
        if (!closed) await finish(id, 'FAILED', 'INTERNAL_SERVER_ERROR', null, null).catch(() => undefined);
      })
      .finally(() => running.delete(p));
    running.add(p);
  }

  return {
    /** The bulk operations' root fields for one request. */
    root(ctx: BulkRequestContext): Root {
      const fail = (message: string, code: BulkUserError['code'], f: string[] | null = ['query']) => ({
        bulkOperation: null,
        userErrors: [{ field: f, message, code }],
      });
      return {
        bulkOperationRunQuery: async ({ query }: { query: string }) => {
          let doc: DocumentNode;
          try {
            doc = parse(query);
          } catch (err) {
            return fail(`Invalid bulk query: ${(err as GraphQLError).message}`, 'INVALID');
          }
          const a = analyse(opts.schema, doc);
          if (typeof a === 'string') return fail(a, 'INVALID');
          const problems = validate(opts.schema, pageDocument(doc, a, null));
          if (problems.length) return fail(`Invalid bulk query: ${problems[0]!.message}`, 'INVALID');
          // From 2026-01 five bulk queries may run at once per shop; before, one.
          const limit = ctx.apiVersion >= '2026-01' ? 5 : 1;
          const inProgress = Number(
            (
              await db.query<{ n: string }>(
                `SELECT count(*) AS n FROM bulk_operations WHERE type = 'QUERY' AND status IN ('CREATED', 'RUNNING', 'CANCELING')`,
              )
            ).rows[0]!.n,
          );
          if (inProgress >= limit)
            return limit > 1
              ? fail('Bulk operations limit reached. Please try again later.', 'LIMIT_REACHED', null)
              : fail(
                  'A bulk query operation for this app and shop is already in progress.',
                  'OPERATION_IN_PROGRESS',
                  null,
                );
          const row = (
            await db.query<Row>(
              `INSERT INTO bulk_operations (type, status, query) VALUES ('QUERY', 'CREATED', $1) RETURNING ${COLUMNS}`,
              [query],
            )
          ).rows[0]!;
          start(row.id, doc, a, ctx.apiVersion, ctx.scopes);
          return { bulkOperation: operationNode(row, ctx), userErrors: [] };
        },
        bulkOperationCancel: async ({ id }: { id: string }) => {
          const row = await byId(idOf(id, 'BulkOperation') ?? '0');
          if (!row) return fail('Bulk operation does not exist', 'INVALID', ['id']);
          if (!['CREATED', 'RUNNING'].includes(row.status))
            return {
              bulkOperation: operationNode(row, ctx),
              userErrors: [
                {
                  field: null,
                  message: `A bulk operation cannot be canceled when it is ${row.status.toLowerCase()}`,
                  code: 'INVALID',
                },
              ],
            };
          await db.query(`UPDATE bulk_operations SET status = 'CANCELING' WHERE id = $1`, [row.id]);
          return { bulkOperation: operationNode({ ...row, status: 'CANCELING' }, ctx), userErrors: [] };
        },
        currentBulkOperation: async ({ type }: { type?: string }) => {
          const row = (
            await db.query<Row>(
              `SELECT ${COLUMNS} FROM bulk_operations WHERE type = $1 ORDER BY id DESC LIMIT 1`,
              [type ?? 'QUERY'],
            )
          ).rows[0];
          return row ? operationNode(row, ctx) : null;
        },
        node: async ({ id }: { id: string }) => {
          const bulkId = idOf(id, 'BulkOperation');
          const row = bulkId ? await byId(bulkId) : undefined;
          return row ? operationNode(row, ctx) : null;
        },
      };
    },

    /** Serves the result files at their signed URLs, as Shopify's storage does: no access token, 403 when the signature is wrong or expired. */
    router(): Router {
      const router = express.Router();
      router.get('/bulk-operations/:id/:file', async (req: Request, res: Response, next) => {
        try {
          const id = String(req.params.id);
          const kind = /^(result|partial)\.jsonl$/.exec(String(req.params.file))?.[1];
          const expires = Number(req.query.expires);
          const given = Buffer.from(String(req.query.signature ?? ''), 'hex');
          const wanted = Buffer.from(sign(`${id}:${kind}`, expires), 'hex');
          if (
            !kind ||
            !/^\d+$/.test(id) ||
            !Number.isFinite(expires) ||
            given.length !== wanted.length ||
            !timingSafeEqual(given, wanted) ||
            Date.now() > expires
          ) {
            res
              .status(403)
              .type('application/xml')
              .send('<Error><Code>AccessDenied</Code><Message>Access denied.</Message></Error>');
            return;
          }
          const row = (
            await db.query<{ body: string | null }>(
              `SELECT ${kind === 'result' ? 'result' : 'partial_result'} AS body FROM bulk_operations WHERE id = $1`,
              [id],
            )
          ).rows[0];
          if (!row?.body) {
            res.status(404).type('application/xml').send('<Error><Code>NoSuchKey</Code></Error>');
            return;
          }
          res.type('application/jsonl').send(row.body);
        } catch (err) {
          next(err);
        }
      });
      return router;
    },

    /** Resolves when no operation is running. */
    async idle(): Promise<void> {
      while (running.size) await Promise.allSettled([...running]);
    },

    /** Stops the running operations after their current page. */
    async close(): Promise<void> {
      closed = true;
      await Promise.allSettled([...running]);
    },
  };
}

export type BulkRunner = ReturnType<typeof createBulkRunner>;

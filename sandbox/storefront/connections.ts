import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLFieldResolver,
  type InputValueDefinitionNode,
  type ObjectTypeDefinitionNode,
  type TypeNode,
} from 'graphql';
import type pg from 'pg';

/**
 * Shopify's connections: every `XConnection` has `nodes`, `edges { cursor node }` and a complete
 * `pageInfo`, and every field returning one takes `first/after/last/before/reverse`. Cursors are opaque
 * base64 of `{"last_id", "last_value"}`, as Shopify's look.
 */

// ---- schema ---------------------------------------------------------------------------------------

const named = (name: string): TypeNode => ({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } });
const nonNull = (type: TypeNode): TypeNode =>
  type.kind === Kind.NON_NULL_TYPE ? type : { kind: Kind.NON_NULL_TYPE, type: type as never };
const list = (type: TypeNode): TypeNode => ({ kind: Kind.LIST_TYPE, type });
const field = (name: string, type: TypeNode): FieldDefinitionNode => ({
  kind: Kind.FIELD_DEFINITION,
  name: { kind: Kind.NAME, value: name },
  type,
  arguments: [],
});
const arg = (name: string, type: string): InputValueDefinitionNode => ({
  kind: Kind.INPUT_VALUE_DEFINITION,
  name: { kind: Kind.NAME, value: name },
  type: named(type),
});
const typeName = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : typeName(t.type));
const PAGING_ARGS: [string, string][] = [
  ['first', 'Int'],
  ['after', 'String'],
  ['last', 'Int'],
  ['before', 'String'],
  ['reverse', 'Boolean'],
];

/** Adds `edges`, the `XEdge` types and the paging arguments to every connection of an SDL. */
export function withConnections(sdl: string): DocumentNode {
  const doc = parse(sdl);
  const defined = new Set(doc.definitions.flatMap((d) => ('name' in d && d.name ? [d.name.value] : [])));
  const extra: ObjectTypeDefinitionNode[] = [];
  const definitions = doc.definitions.map((def) => {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION) return def;
    let fields = (def.fields ?? []).map((f) => {
      if (!typeName(f.type).endsWith('Connection') || f.type.kind === Kind.LIST_TYPE) return f;
      const args = (f.arguments ?? []).map((a) =>
        PAGING_ARGS.some(([n]) => n === a.name.value) ? { ...a, type: named(typeName(a.type)) } : a,
      );
      for (const [n, t] of PAGING_ARGS) if (!args.some((a) => a.name.value === n)) args.push(arg(n, t));
      return { ...f, arguments: args };
    });
    if (def.name.value.endsWith('Connection')) {
      const nodes = fields.find((f) => f.name.value === 'nodes');
      const node = nodes ? typeName(nodes.type) : undefined;
      if (node && !fields.some((f) => f.name.value === 'edges')) {
        const edge = `${node}Edge`;
        fields = [...fields, field('edges', nonNull(list(nonNull(named(edge)))))];
        if (!defined.has(edge)) {
          defined.add(edge);
          extra.push({
            kind: Kind.OBJECT_TYPE_DEFINITION,
            name: { kind: Kind.NAME, value: edge },
            fields: [field('cursor', nonNull(named('String'))), field('node', nonNull(named(node)))],
          });
        }
      }
    }
    return { ...def, fields };
  });
  return parse(print({ ...doc, definitions: [...definitions, ...extra] }));
}

// ---- cursors --------------------------------------------------------------------------------------

export interface PagingArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}
interface CursorValue {
  last_id: string;
  last_value: string;
}
export const encodeCursor = (id: string, value: string = id): string =>
  Buffer.from(JSON.stringify({ last_id: id, last_value: value })).toString('base64');
export function decodeCursor(cursor: string): CursorValue {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as Partial<CursorValue>;
    if (typeof v.last_id === 'string' && typeof v.last_value === 'string') return v as CursorValue;
  } catch {
    /* an invalid cursor is reported below */
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, {
    extensions: { code: 'BAD_REQUEST' },
  });
}

export const MAX_PAGE = 250;
function checkArgs(args: PagingArgs): void {
  if (args.first == null && args.last == null)
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  if (args.first != null && args.last != null)
    throw new GraphQLError('providing both first and last is not supported', {
      extensions: { code: 'BAD_REQUEST' },
    });
  const n = (args.first ?? args.last)!;
  if (n < 0 || n > MAX_PAGE)
    throw new GraphQLError(
      `The ${args.first != null ? 'first' : 'last'} argument must be between 0 and ${MAX_PAGE}.`,
      {
        extensions: { code: 'BAD_REQUEST' },
      },
    );
}

export interface Connection<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

function build<T>(
  page: { node: T; cursor: string }[],
  hasPreviousPage: boolean,
  hasNextPage: boolean,
): Connection<T> {
  return {
    nodes: page.map((p) => p.node),
    edges: page,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: page[0]?.cursor ?? null,
      endCursor: page[page.length - 1]?.cursor ?? null,
    },
  };
}

// ---- in-memory connections (small lists: an order's lines, locations, subscriptions …) -------------

const UNPAGED = Symbol('unpaged');
interface Unpaged<T> {
  [UNPAGED]: T[];
}

/** A connection over a whole (small) list; the field's paging arguments are applied when it is resolved. */
export function connection<T>(nodes: T[], _first?: number): Connection<T> {
  return { [UNPAGED]: nodes } as unknown as Connection<T>;
}

const idOfNode = (node: unknown): string => {
  const id = (node as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(id.lastIndexOf('/') + 1) : String(id);
};

export function pageList<T>(all: T[], args: PagingArgs): Connection<T> {
  checkArgs(args);
  const items = (args.reverse ? [...all].reverse() : all).map((node, i) => ({
    node,
    cursor: encodeCursor(idOfNode(node), String(i)),
  }));
  const indexOf = (cursor: string) => {
    const c = decodeCursor(cursor);
    const i = items.findIndex((it) => idOfNode(it.node) === c.last_id);
    return i >= 0 ? i : Number(c.last_value);
  };
  let start = args.after ? indexOf(args.after) + 1 : 0;
  let end = args.before ? indexOf(args.before) : items.length;
  if (args.first != null) end = Math.min(end, start + args.first);
  else if (args.last != null) start = Math.max(start, end - args.last);
  return build(items.slice(start, end), start > 0, end < items.length);
}

/** Field resolver that pages the in-memory connections by the field's own arguments. */
export const pagingFieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, ctx, info) => {
  const value = defaultFieldResolver(source, args, ctx, info);
  if (!getNamedType(info.returnType).name.endsWith('Connection')) return value;
  const apply = (v: unknown) =>
    v && typeof v === 'object' && UNPAGED in v ? pageList((v as Unpaged<unknown>)[UNPAGED], args) : v;
  return value instanceof Promise ? value.then(apply) : apply(value);
};

// ---- SQL connections (the big collections: products, variants, orders, customers …) ---------------

export interface SqlPage<T> {
  /** `FROM` clause (a table, or a join) and an alias whose `id` column is the tie-breaker. */
  from: string;
  alias?: string;
  /** The columns to read (default: all of `alias`, or `*`). */
  select?: string;
  idColumn?: string;
  where: string[];
  params: unknown[];
  /** The sort column (as SQL) and its type; the id breaks ties. */
  sort?: { column: string; type: 'bigint' | 'timestamptz' | 'text' | 'integer' };
  args: PagingArgs;
  map: (row: Record<string, unknown>) => T;
}

/** Keyset paging in SQL: `(sort, id) > cursor`, one row over the page size to tell whether there is more. */
export async function sqlConnection<T>(db: Pick<pg.Pool, 'query'>, q: SqlPage<T>): Promise<Connection<T>> {
  const { args } = q;
  checkArgs(args);
  const a = q.alias ? `${q.alias}.` : '';
  const id = `${a}${q.idColumn ?? 'id'}`;
  const sort = q.sort ?? { column: id, type: 'bigint' as const };
  const params = [...q.params];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const desc = Boolean(args.reverse);
  const cmp = (cursor: string, after: boolean, inclusive = false) => {
    const c = decodeCursor(cursor);
    const op = (after !== desc ? '>' : '<') + (inclusive ? '=' : '');
    return `(${sort.column}, ${id}) ${op} (${p(c.last_value)}::${sort.type}, ${p(c.last_id)}::bigint)`;
  };
  const where = [...q.where];
  if (args.after) where.push(cmp(args.after, true));
  if (args.before) where.push(cmp(args.before, false));
  const backwards = args.first == null;
  const n = (args.first ?? args.last)!;
  const dir = desc !== backwards ? 'DESC' : 'ASC';
  const sql = `SELECT ${q.select ?? (q.alias ? `${q.alias}.*` : '*')}, ${sort.column}::text AS __sort, ${id}::text AS __id FROM ${q.from}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${sort.column} ${dir}, ${id} ${dir} LIMIT ${p(n + 1)}`;
  const rows = (await db.query(sql, params)).rows as Record<string, unknown>[];
  const more = rows.length > n;
  const page = rows.slice(0, n);
  if (backwards) page.reverse();
  const items = page.map((row) => ({
    node: q.map(row),
    cursor: encodeCursor(String(row.__id), String(row.__sort)),
  }));
  // The other side of the cursor: is there anything before `after` (or after `before`)?
  const otherCursor = backwards ? args.before : args.after;
  let other = false;
  if (otherCursor) {
    const oparams = [...q.params];
    params.length = 0;
    params.push(...oparams);
    const cond = cmp(otherCursor, backwards, true);
    const exists = await db.query(
      `SELECT 1 FROM ${q.from} WHERE ${[...q.where, cond].join(' AND ')} LIMIT 1`,
      params,
    );
    other = exists.rows.length > 0;
  }
  return backwards ? build(items, more, other) : build(items, other, more);
}

/**
 * A searchable SQL collection's resolver (`products(query:, sortKey:, first:, after: …)`): Shopify's
 * search syntax over `fields` (a bare term searches `defaultField`), sorted by `sortKey` where the
 * collection has sort keys, keyset-paged.
 */
export function searchedConnection<T>(
  db: Pick<pg.Pool, 'query'>,
  search: {
    fields: Record<string, SearchField>;
    defaultField: string;
    sortKeys?: Record<string, SqlPage<T>['sort']>;
  },
  page: Omit<SqlPage<T>, 'where' | 'params' | 'args' | 'sort'>,
) {
  return ({ query, sortKey, ...args }: { query?: string | null; sortKey?: unknown } & PagingArgs) => {
    const params: unknown[] = [];
    return sqlConnection(db, {
      ...page,
      where: searchWhere(query, search.fields, params, search.defaultField),
      params,
      sort: search.sortKeys?.[sortKey as string],
      args,
    });
  };
}

// ---- search syntax --------------------------------------------------------------------------------

export interface SearchField {
  column: string;
  type: 'text' | 'number' | 'timestamp' | 'id' | 'exists';
  /** For `exists`: SQL with `$v` for the value, e.g. `EXISTS (SELECT 1 FROM variants v WHERE v.sku = $v)`. */
  sql?: string;
  normalize?: (value: string) => string;
}

/**
 * The documented subset of Shopify's search syntax: `field:value`, `field:>value` (`<`, `>=`, `<=`),
 * quoted values, a trailing `*` for a prefix, `OR` between terms, and `AND` (or a space) between
 * groups; `-field:value` or `NOT` negates. A term without a field searches `defaultField`. Fields
 * the resource does not know are ignored, as Shopify does.
 */
export function searchWhere(
  query: string | null | undefined,
  fields: Record<string, SearchField>,
  params: unknown[],
  defaultField?: string,
): string[] {
  if (!query?.trim()) return [];
  const token = /(NOT\s+|-)?(?:(\w+):(<=|>=|<|>)?)?("[^"]*"|'[^']*'|[^\s()]+)/gi;
  const groups: string[][] = [[]];
  let joinOr = false;
  for (const m of query.matchAll(token)) {
    const [whole, neg, name, op, raw] = m;
    if (!name && /^(OR|AND)$/i.test(whole)) {
      joinOr = /^OR$/i.test(whole);
      continue;
    }
    const key = (name ?? defaultField)?.toLowerCase();
    const f = key ? fields[key] : undefined;
    const unquoted = raw!.replace(/^["']|["']$/g, '');
    if (!f) {
      joinOr = false;
      continue;
    }
    const value = f.normalize ? f.normalize(unquoted) : unquoted;
    params.push(f.type === 'id' ? (value.match(/(\d+)$/)?.[1] ?? '0') : value.replace(/\*$/, ''));
    const $ = `$${params.length}`;
    const opSql = op ?? '=';
    let cond: string;
    if (f.type === 'exists') cond = f.sql!.replaceAll('$v', $);
    else if (f.type === 'text')
      cond = value.endsWith('*')
        ? `lower(${f.column}) LIKE lower(${$}) || '%'`
        : op
          ? `${f.column} ${opSql} ${$}`
          : `lower(${f.column}) = lower(${$})`;
    else if (f.type === 'timestamp')
      cond = `date_trunc('milliseconds', ${f.column}) ${opSql} ${$}::timestamptz`;
    else cond = `${f.column} ${opSql} ${$}::${f.type === 'id' ? 'bigint' : 'numeric'}`;
    if (neg) cond = `NOT (${cond})`;
    if (joinOr && groups[groups.length - 1]!.length) groups[groups.length - 1]!.push(cond);
    else groups.push([cond]);
    joinOr = false;
  }
  return groups.filter((g) => g.length).map((g) => (g.length > 1 ? `(${g.join(' OR ')})` : g[0]!));
}

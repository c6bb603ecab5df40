/**
 * The SuiteQL subset the sandbox ERP answers, compiled to parameterised PostgreSQL.
 *
 *   SELECT <column | TO_CHAR(column, 'format') | COUNT(*)> [AS alias], … | *
 *   FROM <table> [alias]
 *   [WHERE <condition>]            -- AND / OR / NOT / parentheses
 *   [ORDER BY <column> [ASC|DESC], …]
 *
 * A condition compares a column with a literal (=, <>, !=, <, <=, >, >=), tests membership
 * (`IN (…)`, `NOT IN (…)`) or nullness (`IS [NOT] NULL`). Literals are numbers, 'strings',
 * TO_TIMESTAMP('…', 'format') and TO_DATE('…', 'format'). Columns may be prefixed by the alias.
 * Literals never reach the SQL text: they travel as bind parameters. Queries run in the account's
 * time zone: dates render in it, and date literals and TO_TIMESTAMP/TO_DATE are read in it.
 */

export class SuiteQlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteQlError';
  }
}

interface TableDef {
  from: string;
  columns: Record<string, { sql: string; kind?: 'timestamp' | 'date' }>;
}

const bool = (col: string) => ({ sql: `(CASE WHEN ${col} THEN 'T' ELSE 'F' END)` });
const ts = (col: string) => ({ sql: col, kind: 'timestamp' as const });

export const SUITEQL_TABLES: Record<string, TableDef> = {
  item: {
    from: 'item',
    columns: {
      id: { sql: 'id' },
      itemid: { sql: 'item_id' },
      externalid: { sql: 'external_id' },
      displayname: { sql: 'display_name' },
      itemtype: { sql: 'item_type' },
      parent: { sql: 'parent_id' },
      isserialitem: bool('serialized'),
      custitem_quayside_hazmat: bool('hazmat'),
      baseprice: { sql: 'base_price' },
      isinactive: bool('inactive'),
      salesdescription: { sql: 'sales_description' },
      storedetaileddescription: { sql: 'store_description' },
      weight: { sql: 'weight' },
      weightunit: {
        sql: "(CASE weight_unit WHEN 'lb' THEN 1 WHEN 'oz' THEN 2 WHEN 'kg' THEN 3 WHEN 'g' THEN 4 END)",
      },
      searchkeywords: { sql: 'search_keywords' },
      hazmatid: { sql: 'hazmat_id' },
      hazmathazardclass: { sql: 'hazmat_class' },
      matrixtype: { sql: 'matrix_type' },
      isdropshipitem: bool('drop_ship'),
      isspecialorderitem: bool('special_order'),
      leadtime: { sql: 'lead_time' },
      custitem_quayside_category: { sql: 'category' },
      custitem_quayside_length: { sql: 'length' },
      custitem_quayside_width: { sql: 'width' },
      custitem_quayside_height: { sql: 'height' },
      custitem_quayside_dimension_unit: { sql: 'dimension_unit' },
      custitem_quayside_discontinued: bool('discontinued'),
      custitem_quayside_color: { sql: 'option_color' },
      custitem_quayside_size: { sql: 'option_size' },
      custitem_quayside_finish: { sql: 'option_finish' },
      lastmodifieddate: ts('last_modified'),
    },
  },
  /** A kit's (or item group's) members. */
  itemmember: {
    from: 'kit_member',
    columns: {
      parentitem: { sql: 'kit_id' },
      item: { sql: 'member_id' },
      quantity: { sql: 'quantity' },
    },
  },
  customer: {
    from: 'customer',
    columns: {
      id: { sql: 'id' },
      entityid: { sql: 'entity_id' },
      externalid: { sql: 'external_id' },
      companyname: { sql: 'company_name' },
      email: { sql: 'email' },
      phone: { sql: 'phone' },
      creditlimit: { sql: 'credit_limit' },
      balance: { sql: 'balance' },
      terms: { sql: '(SELECT t.id FROM term t WHERE t.name = customer.terms)' },
      pricelevel: { sql: '(SELECT p.id FROM price_level p WHERE p.name = customer.price_level)' },
      taxable: { sql: "(CASE WHEN tax_exempt THEN 'F' ELSE 'T' END)" },
      resalenumber: { sql: 'tax_id' },
      parent: { sql: 'parent_id' },
      lastmodifieddate: ts('last_modified'),
    },
  },
  location: {
    from: 'location',
    columns: {
      id: { sql: 'id' },
      name: { sql: 'name' },
      externalid: { sql: 'external_id' },
      custrecord_quayside_3pl: bool('third_party'),
      lastmodifieddate: ts('last_modified'),
    },
  },
  term: {
    from: 'term',
    columns: {
      id: { sql: 'id' },
      name: { sql: 'name' },
      daysuntilnetdue: { sql: 'days_until_due' },
      lastmodifieddate: ts('last_modified'),
    },
  },
  pricelevel: {
    from: 'price_level',
    columns: {
      id: { sql: 'id' },
      name: { sql: 'name' },
      discountpct: { sql: 'discount_pct' },
      lastmodifieddate: ts('last_modified'),
    },
  },
  pricing: {
    from: 'item_price',
    columns: {
      id: { sql: 'id' },
      item: { sql: 'item_id' },
      pricelevel: { sql: '(SELECT p.id FROM price_level p WHERE p.name = item_price.price_level)' },
      pricelevelname: { sql: 'price_level' },
      customer: { sql: 'customer_id' },
      quantity: { sql: 'min_quantity' },
      unitprice: { sql: 'unit_price' },
      lastmodifieddate: ts('last_modified'),
    },
  },
  inventoryitemlocations: {
    from: 'inventory',
    columns: {
      id: { sql: 'id' },
      item: { sql: 'item_id' },
      location: { sql: 'location_id' },
      quantityonhand: { sql: 'on_hand' },
      quantitycommitted: { sql: 'committed' },
      quantityavailable: { sql: 'GREATEST(on_hand - committed, 0)' },
      lastmodifieddate: ts('last_modified'),
    },
  },
  transaction: {
    from: 'txn',
    columns: {
      id: { sql: 'id' },
      tranid: { sql: 'tran_id' },
      type: { sql: 'type' },
      externalid: { sql: 'external_id' },
      entity: { sql: 'entity_id' },
      status: { sql: 'status' },
      createdfrom: { sql: 'created_from' },
      location: { sql: 'location_id' },
      otherrefnum: { sql: 'other_ref_num' },
      custbody_quayside_project: { sql: 'project_code' },
      memo: { sql: 'memo' },
      shipcarrier: { sql: 'ship_carrier' },
      trackingnumberlist: { sql: "array_to_string(tracking_numbers, ' ')" },
      foreigntotal: { sql: 'total' },
      duedate: { sql: 'due_date', kind: 'date' },
      trandate: ts('tran_date'),
      lastmodifieddate: ts('last_modified'),
    },
  },
  inventorynumber: {
    from: 'inventory_number',
    columns: {
      id: { sql: 'id' },
      item: { sql: 'item_id' },
      inventorynumber: { sql: 'inventory_number' },
    },
  },
  inventoryassignment: {
    from: 'inventory_assignment',
    columns: {
      id: { sql: 'id' },
      transaction: { sql: 'txn_id' },
      transactionline: { sql: 'line' },
      inventorynumber: { sql: 'inventory_number_id' },
      quantity: { sql: 'quantity' },
    },
  },
  transactionline: {
    from: 'txn_line',
    columns: {
      id: { sql: 'id' },
      transaction: { sql: 'txn_id' },
      linesequencenumber: { sql: 'line' },
      item: { sql: 'item_id' },
      quantity: { sql: 'quantity' },
      rate: { sql: 'rate' },
      netamount: { sql: 'amount' },
      location: { sql: 'location_id' },
      quantityshiprecv: { sql: 'GREATEST(quantity_fulfilled, quantity_received)' },
      quantitybilled: { sql: 'quantity_billed' },
      quantitybackordered: { sql: 'quantity_backordered' },
      isclosed: bool('closed'),
      orderline: { sql: 'order_line' },
      custcol_quayside_line_key: { sql: 'line_key' },
      expectedreceiptdate: { sql: 'expected_receipt_date', kind: 'date' },
    },
  },
};

type Token =
  { t: 'id'; v: string } | { t: 'num'; v: string } | { t: 'str'; v: string } | { t: 'op'; v: string };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < q.length && /[A-Za-z0-9_]/.test(q[j]!)) j++;
      out.push({ t: 'id', v: q.slice(i, j).toLowerCase() });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(q[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < q.length && /[0-9.]/.test(q[j]!)) j++;
      out.push({ t: 'num', v: q.slice(i, j) });
      i = j;
    } else if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= q.length) throw new SuiteQlError('Unterminated string literal.');
        if (q[j] === "'") {
          if (q[j + 1] === "'") {
            s += "'";
            j += 2;
            continue;
          }
          break;
        }
        s += q[j];
        j++;
      }
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else {
      const two = q.slice(i, i + 2);
      if (['<>', '!=', '<=', '>='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('(),.*=<>'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else {
        throw new SuiteQlError(`Unexpected character '${c}'.`);
      }
    }
  }
  return out;
}

export interface CompiledQuery {
  /** SQL without paging; the caller adds LIMIT/OFFSET. */
  sql: string;
  countSql: string;
  params: unknown[];
  countParams: unknown[];
  columns: { name: string; kind?: 'timestamp' | 'date' }[];
}

const TIME_FORMAT = /^[A-Za-z0-9 :.\-/"T]+$/;

/**
 * A date column selected as is comes back as the account's default date format (M/D/YYYY), the day
 * in the account's time zone (the session's); TO_CHAR gives the time as well.
 */
const rendered = (col: { sql: string; kind?: 'timestamp' | 'date' }) =>
  col.kind ? `to_char(${col.sql}, 'FMMM/FMDD/YYYY')` : col.sql;

/** Parses one statement of the supported subset into SQL over the sandbox schema. */
export function compileSuiteQl(query: string): CompiledQuery {
  const tokens = tokenize(query.trim().replace(/;$/, ''));
  let pos = 0;
  const params: unknown[] = [];
  const peek = () => tokens[pos];
  const next = () => {
    const tok = tokens[pos++];
    if (!tok) throw new SuiteQlError('Unexpected end of query.');
    return tok;
  };
  const isKw = (kw: string) => peek()?.t === 'id' && peek()!.v === kw;
  const isOp = (op: string) => peek()?.t === 'op' && peek()!.v === op;
  const expectKw = (kw: string) => {
    const tok = next();
    if (tok.t !== 'id' || tok.v !== kw)
      throw new SuiteQlError(`Expected ${kw.toUpperCase()} near '${tok.v}'.`);
  };
  const expectOp = (op: string) => {
    const tok = next();
    if (tok.t !== 'op' || tok.v !== op) throw new SuiteQlError(`Expected '${op}' near '${tok.v}'.`);
  };
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };

  expectKw('select');
  // Columns are resolved once the table is known.
  const selectStart = pos;
  while (pos < tokens.length && !isKw('from')) pos++;
  const selectEnd = pos;
  expectKw('from');
  const tableTok = next();
  const table = tableTok.t === 'id' ? SUITEQL_TABLES[tableTok.v] : undefined;
  if (!table) throw new SuiteQlError(`Invalid search query. Unknown identifier '${tableTok.v}'.`);
  let alias: string | undefined;
  if (peek()?.t === 'id' && !['where', 'order'].includes(peek()!.v)) alias = next().v;

  const column = (): { sql: string; kind?: 'timestamp' | 'date'; name: string } => {
    let tok = next();
    if (tok.t !== 'id') throw new SuiteQlError(`Expected a column near '${tok.v}'.`);
    if (isOp('.')) {
      if (tok.v !== alias && tok.v !== tableTok.v) throw new SuiteQlError(`Unknown table alias '${tok.v}'.`);
      next();
      tok = next();
      if (tok.t !== 'id') throw new SuiteQlError(`Expected a column near '${tok.v}'.`);
    }
    const def = table.columns[tok.v];
    if (!def) throw new SuiteQlError(`Invalid search query. Unknown field '${tok.v}' on ${tableTok.v}.`);
    return { ...def, name: tok.v };
  };

  const literal = (): string => {
    const tok = next();
    if (tok.t === 'num') return param(Number(tok.v));
    if (tok.t === 'str') return param(tok.v);
    if (tok.t === 'id' && (tok.v === 'to_timestamp' || tok.v === 'to_date')) {
      expectOp('(');
      const value = next();
      expectOp(',');
      const fmt = next();
      expectOp(')');
      if (value.t !== 'str' || fmt.t !== 'str' || !TIME_FORMAT.test(fmt.v))
        throw new SuiteQlError(`Invalid ${tok.v.toUpperCase()} arguments.`);
      return `to_timestamp(${param(value.v)}, ${param(fmt.v)})`;
    }
    throw new SuiteQlError(`Expected a literal near '${tok.v}'.`);
  };

  const comparisons = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
  const condition = (): string => {
    if (isOp('(')) {
      next();
      const inner = orExpr();
      expectOp(')');
      return `(${inner})`;
    }
    if (isKw('not')) {
      next();
      return `NOT ${condition()}`;
    }
    const col = column();
    if (isKw('is')) {
      next();
      const negate = isKw('not') ? (next(), true) : false;
      expectKw('null');
      return `${col.sql} IS ${negate ? 'NOT ' : ''}NULL`;
    }
    const negate = isKw('not') ? (next(), true) : false;
    if (isKw('in')) {
      next();
      expectOp('(');
      const values = [literal()];
      while (isOp(',')) {
        next();
        values.push(literal());
      }
      expectOp(')');
      return `${col.sql} ${negate ? 'NOT ' : ''}IN (${values.join(', ')})`;
    }
    if (negate) throw new SuiteQlError('Expected IN after NOT.');
    const op = next();
    if (op.t !== 'op' || !comparisons.has(op.v))
      throw new SuiteQlError(`Expected a comparison near '${op.v}'.`);
    return `${col.sql} ${op.v === '!=' ? '<>' : op.v} ${literal()}`;
  };
  const andExpr = (): string => {
    const parts = [condition()];
    while (isKw('and')) {
      next();
      parts.push(condition());
    }
    return parts.join(' AND ');
  };
  const orExpr = (): string => {
    const parts = [andExpr()];
    while (isKw('or')) {
      next();
      parts.push(andExpr());
    }
    return parts.length > 1 ? `(${parts.join(' OR ')})` : parts[0]!;
  };

  let where = '';
  if (isKw('where')) {
    next();
    where = ` WHERE ${orExpr()}`;
  }
  const whereParams = params.length;
  let orderBy = '';
  if (isKw('order')) {
    next();
    expectKw('by');
    const parts: string[] = [];
    do {
      if (parts.length) next();
      const col = column();
      let dir = 'ASC';
      if (isKw('asc') || isKw('desc')) dir = next().v.toUpperCase();
      parts.push(`${col.sql} ${dir}`);
    } while (isOp(','));
    orderBy = ` ORDER BY ${parts.join(', ')}`;
  }
  if (pos < tokens.length) throw new SuiteQlError(`Invalid search query near '${tokens[pos]!.v}'.`);

  // Now the select list, against the known table.
  const selectTokens = tokens.slice(selectStart, selectEnd);
  const saved = { pos };
  tokens.splice(0, tokens.length, ...selectTokens);
  pos = 0;
  const columns: CompiledQuery['columns'] = [];
  const selects: string[] = [];
  if (isOp('*') && tokens.length === 1) {
    for (const [name, def] of Object.entries(table.columns)) {
      selects.push(`${rendered(def)} AS "${name}"`);
      columns.push({ name, kind: def.kind });
    }
  } else {
    do {
      if (selects.length) next();
      let expr: string;
      let name: string;
      let kind: 'timestamp' | 'date' | undefined;
      if (isKw('to_char')) {
        next();
        expectOp('(');
        const col = column();
        expectOp(',');
        const fmt = next();
        expectOp(')');
        if (fmt.t !== 'str' || !TIME_FORMAT.test(fmt.v)) throw new SuiteQlError('Invalid TO_CHAR format.');
        expr = `to_char(${col.sql}, ${param(fmt.v)})`;
        name = `expr${selects.length + 1}`;
      } else if (isKw('count')) {
        next();
        expectOp('(');
        expectOp('*');
        expectOp(')');
        expr = 'count(*)';
        name = `expr${selects.length + 1}`;
      } else {
        const col = column();
        expr = rendered(col);
        name = col.name;
        kind = col.kind;
      }
      if (isKw('as')) {
        next();
        const a = next();
        if (a.t !== 'id') throw new SuiteQlError('Expected an alias after AS.');
        name = a.v;
      } else if (peek()?.t === 'id') {
        name = next().v;
      }
      selects.push(`${expr} AS "${name}"`);
      columns.push({ name, kind });
    } while (isOp(','));
    if (pos < tokens.length) throw new SuiteQlError(`Invalid search query near '${tokens[pos]!.v}'.`);
  }
  pos = saved.pos;

  const from = ` FROM ${table.from}`;
  return {
    sql: `SELECT ${selects.join(', ')}${from}${where}${orderBy}`,
    countSql: `SELECT count(*) AS n${from}${where}`,
    params,
    countParams: params.slice(0, whereParams),
    columns,
  };
}

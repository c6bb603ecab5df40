import type { FlowActions } from '../actions/flows';
import { FLOWS, type Flow, type FlowChange } from '../../domain/flow-switches';
import { ago, html, inStore, noticeView, postForm, raw, storeChooser, tableView } from './html';
import type { Notice, PageContext, SafeHtml, StoreChoice } from './html';

type Flows = Awaited<ReturnType<FlowActions['get']>>;

const FLOW_WORDS: Record<Flow, string> = {
  orders: 'Orders (store → ERP sales orders)',
  fulfillments: 'Fulfillments (ERP shipments → store tracking)',
  inventory: 'Inventory (ERP stock → store)',
  prices: 'Prices (ERP price levels, contract prices and credit → store)',
  catalog: 'Catalog (ERP items → store products)',
  customers: 'Customers (store ↔ ERP)',
  returns: 'Returns (store requests → ERP, credit back)',
};

const DIRECTION_WORDS: Record<string, string> = {
  both: 'both ways',
  storeToErp: 'store → ERP',
  erpToStore: 'ERP → store',
};

const value = (field: FlowChange['field'], v: boolean | string) =>
  field === 'enabled' ? (v ? 'on' : 'off') : (DIRECTION_WORDS[String(v)] ?? String(v));
const changeWords = (c: FlowChange) =>
  `${c.flow} ${field(c.field)}: ${value(c.field, c.before)} → ${value(c.field, c.after)}`;
const field = (f: FlowChange['field']) => (f === 'enabled' ? 'switched' : 'direction');

/**
 * One store's flow switches: each flow on or off and, where it has more than one, its direction;
 * admins change them (processes started afterwards honour the change), others see them, and every
 * version is listed with who changed what.
 */
export function flowsView(
  ctx: PageContext,
  flows: Flows,
  choice: StoreChoice,
  opts: { canEdit: boolean; notice?: Notice },
): SafeHtml {
  const switches = flows.current.switches;
  const directions = flows.directions as Record<Flow, readonly string[]>;
  const row = (flow: Flow) => {
    const s = switches[flow] as { enabled: boolean; direction: string };
    const choices = directions[flow];
    if (!opts.canEdit)
      return [FLOW_WORDS[flow], s.enabled ? 'on' : 'off', DIRECTION_WORDS[s.direction] ?? s.direction];
    return [
      FLOW_WORDS[flow],
      html`<label class="switch"
        ><input type="checkbox" name="${flow}" value="on" ${s.enabled ? raw('checked') : ''} /> on</label
      >`,
      choices.length > 1
        ? html`<select name="${flow}-direction" aria-label="Direction of ${flow}">
            ${choices.map(
              (d) =>
                html`<option value="${d}" ${d === s.direction ? raw('selected') : ''}>
                  ${DIRECTION_WORDS[d] ?? d}
                </option>`,
            )}
          </select>`
        : (DIRECTION_WORDS[s.direction] ?? s.direction),
    ];
  };
  const table = tableView({ id: 'flow-switches' }, ['Flow', 'Runs', 'Direction'], FLOWS.map(row));
  return html`<div id="flows">
    ${storeChooser(choice, '/dashboard/flows')} ${noticeView(opts.notice)}
    <p class="muted" id="flows-version">
      ${
        flows.current.version === 0
          ? 'Every flow runs as built in: nobody has changed a switch.'
          : `Version ${flows.current.version}, by ${flows.current.createdBy ?? 'someone'} ${ago(flows.current.createdAt ?? null)}.`
      }
      A change applies to the processes started after it; running ones keep the switches they started with.
    </p>
    ${
      opts.canEdit
        ? postForm(
            ctx,
            { action: inStore(choice, '/dashboard/flows'), target: '#flows', class: 'panel' },
            html`${table}
              <label>Why this change (kept with the version)<input name="comment" maxlength="500" /></label>
              <div class="actions"><button type="submit" id="flows-save">Save</button></div>`,
          )
        : html`${table}
            <p class="muted">You can see these; admins change them.</p>`
    }
    <h2>Changes</h2>
    ${tableView(
      { id: 'flow-audit', empty: 'No change recorded.' },
      ['Version', 'What changed', 'By', 'When', 'Why'],
      flows.audit.map((a) => [
        `v${a.version}`,
        a.changes.length ? a.changes.map(changeWords).join('; ') : 'nothing',
        a.createdBy ?? '',
        ago(a.createdAt ?? null),
        a.comment ?? '',
      ]),
    )}
  </div>`;
}

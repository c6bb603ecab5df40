import { z } from 'zod';
import { FLOW_DIRECTIONS, type FlowDirection, type FlowSwitches as FlowSwitchesType } from '../flow-switches';

/** The flow switches' zod schema (domain/flow-switches.ts has their rules and type). */
const Switch = <D extends readonly [FlowDirection, ...FlowDirection[]]>(directions: D) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      direction: z.enum(directions).default(directions[0]),
    })
    .prefault({});

export const FlowSwitches = z.strictObject({
  orders: Switch(FLOW_DIRECTIONS.orders),
  fulfillments: Switch(FLOW_DIRECTIONS.fulfillments),
  inventory: Switch(FLOW_DIRECTIONS.inventory),
  prices: Switch(FLOW_DIRECTIONS.prices),
  catalog: Switch(FLOW_DIRECTIONS.catalog),
  customers: Switch(FLOW_DIRECTIONS.customers),
  returns: Switch(FLOW_DIRECTIONS.returns),
});
export type FlowSwitches = z.infer<typeof FlowSwitches>;

/** The schema's output is exactly domain/flow-switches.ts's FlowSwitches type (a compile-time check). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const FLOW_SWITCHES_TYPE_MATCHES: Same<FlowSwitches, FlowSwitchesType> = true;

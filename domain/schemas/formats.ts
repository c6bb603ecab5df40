import { z } from 'zod';
import { DURATION } from '../duration';
import { MONEY_TEXT } from '../money';

/**
 * The zod schemas of Quayside's text formats. Schemas live in domain/schemas/, apart from the pure
 * rules and types, because workflow code must not import zod: every workflow run evaluates its
 * imports again in its own sandbox context (test/foundation/workflow-imports.test.ts).
 */

/** A decimal amount as it travels in payloads and configuration. */
export const MoneyText = z.string().regex(MONEY_TEXT, 'a decimal amount such as "89.99"');

/** A duration such as "15m" or "30 days" (domain/duration.ts reads it). */
export const DurationText = z
  .string()
  .regex(DURATION, 'a duration such as "15m", "4h", "30 days" or "90 seconds"');

/**
 * The fields every storefront event carries into its process (spread into its schema): the
 * delivery's id (X-Shopify-Event-Id, Webhook-Id, or the API's own; a process ignores an event it has
 * already seen) and when the storefront raised it.
 */
export const StorefrontDelivery = {
  eventId: z.string().min(1),
  triggeredAt: z.string(),
};

/** A storefront event with one of its topics: its topic, the delivery's fields, then its own fields. */
export const storefrontEvent = <const T extends readonly [string, ...string[]], S extends z.ZodRawShape>(
  topics: T,
  shape: S,
) => z.object({ topic: z.enum(topics), ...StorefrontDelivery, ...shape });

/** Text fields that may be absent or null, as addresses arrive from the storefront. */
export const nullableTexts = <const K extends string>(...keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, z.string().nullish()])) as {
    [P in K]: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  };

/** The fields that name a storefront record (an order, a return, a customer): its store and its own id. */
export const storeRecord = <const Id extends string>(idField: Id) =>
  ({ store: z.string().min(1), [idField]: z.string().min(1) }) as { store: z.ZodString } & {
    [P in Id]: z.ZodString;
  };

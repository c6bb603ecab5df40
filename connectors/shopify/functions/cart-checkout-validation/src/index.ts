// The entry point the Shopify CLI builds (javy): the target's `export = "run"` names this function.
export { run } from './run';

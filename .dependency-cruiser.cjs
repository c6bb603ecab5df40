/**
 * Quayside's layer rules (docs/architecture.md). `npm test` runs `depcruise` with this file over the
 * product's folders; test/foundation/layers.test.ts proves a bad import fails it.
 *
 *   domain      pure rules and types: no I/O, no Temporal SDK, no other Quayside layer
 *     contracts   domain/contracts/: each process's contract; besides domain, only the message
 *                 definitions of @temporalio/workflow (defineSignal/defineQuery/defineUpdate: ESLint
 *                 allows no other name from it there)
 *   workflows   domain, @temporalio/workflow (and the pure @temporalio/common), activity *types*
 *   activities  domain, db, connectors, platform
 *   api         domain (with the contracts), db, platform, the Temporal client; no workflow module;
 *               of the connectors only Shopify's webhook code (connectors/shopify/webhooks/: verification,
 *               schemas, mapping, subscriptions) and the Admin API client it registers them with
 *   connectors  domain, platform        db  domain, platform
 *   platform    domain only (process plumbing: config, logging, Temporal connection)
 *   sandbox     its own world: platform and the generic pg pool/migrator, nothing of Quayside's runtime
 *               (it runs the Shopify Functions in connectors/shopify/functions/ as Shopify does)
 *   no circles anywhere
 */
/** A dependency on one of these npm packages, as dependency-cruiser resolves it (node_modules/<pkg>/…). */
const pkg = (names) => `(^|/)node_modules/(${names})/`;
const IO_PACKAGES = pkg(
  'pg|pg-copy-streams|node-pg-migrate|express|express-session|connect-pg-simple|csrf-sync|raw-body|pino|pino-http|prom-client|@shopify/[^/]+|graphql|commander|cli-progress|playwright-core',
);
const NODE_IO =
  '^(node:)?(fs|net|http|https|http2|dgram|dns|tls|child_process|cluster|worker_threads|os)(/|$)';
const LAYERS = '^(activities|api|connectors|db|platform|sandbox|workers|workflows|scripts|bench|test)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes two modules one; move what both need to the lower layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-no-io',
      severity: 'error',
      comment: 'domain/ holds pure rules and types: nothing that does I/O and no other Quayside layer.',
      from: { path: '^domain/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [IO_PACKAGES, NODE_IO, LAYERS],
      },
    },
    {
      name: 'domain-no-temporal',
      severity: 'error',
      comment:
        'domain/ does not use the Temporal SDK; only the search-attribute keys are defined with @temporalio/common (pure values), and the contracts define their messages.',
      from: { path: '^domain/', pathNot: ['^domain/search-attributes[.]ts$', '^domain/contracts/'] },
      to: { path: pkg('@temporalio/[^/]+') },
    },
    {
      name: 'contracts-message-definitions-only',
      severity: 'error',
      comment:
        "A process's contract defines its signals, queries and updates with @temporalio/workflow's define* helpers (pure values); no client, worker or activity SDK.",
      from: { path: '^domain/contracts/' },
      to: { path: pkg('@temporalio/[^/]+'), pathNot: pkg('@temporalio/(workflow|common)') },
    },
    {
      name: 'workflows-deterministic',
      severity: 'error',
      comment:
        'workflows/ import domain/, @temporalio/workflow and @temporalio/common, and activities only as types (proxyActivities<T>).',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^domain/', pkg('@temporalio/(workflow|common)'), '^activities/'],
      },
    },
    {
      name: 'workflows-activity-types-only',
      severity: 'error',
      comment: 'A workflow may know an activity only by its type; the implementation runs in the worker.',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'activities-layers',
      severity: 'error',
      comment:
        'activities/ call the outside world through db/, connectors/ and platform/; they start no workflows.',
      from: { path: '^activities/' },
      to: { path: '^(api|workflows|workers|sandbox|scripts|bench|test)/' },
    },
    {
      name: 'api-layers',
      severity: 'error',
      comment:
        'api/ reaches processes through the Temporal client and their definitions, data through db/; it does not run activities or workers.',
      from: { path: '^api/' },
      to: { path: '^(activities|workers|sandbox|scripts|bench|test)/' },
    },
    {
      name: 'api-through-contracts',
      severity: 'error',
      comment:
        'api/ starts, signals, queries and updates a process through its contract (domain/contracts/), never its workflow module.',
      from: { path: '^api/' },
      to: { path: '^workflows/' },
    },
    {
      name: 'api-connectors-webhooks-only',
      severity: 'error',
      comment:
        "api/ receives Shopify's webhooks: it may use their verification, schemas and mapping (connectors/shopify/webhooks/) and the Admin API client it registers the subscriptions with; every other vendor call runs in an activity.",
      from: { path: '^api/' },
      to: {
        path: '^connectors/',
        pathNot: ['^connectors/shopify/webhooks/', '^connectors/shopify/index[.]ts$'],
      },
    },
    {
      name: 'connectors-db-lower-layers',
      severity: 'error',
      comment: 'connectors/ and db/ sit below activities: they use domain/ and platform/ only.',
      from: { path: '^(connectors|db)/' },
      to: { path: '^(activities|api|workflows|workers|sandbox|scripts|bench|test)/' },
    },
    {
      name: 'connectors-not-db',
      severity: 'error',
      comment: 'A connector talks to one vendor; what it stores goes through an activity.',
      from: { path: '^connectors/' },
      to: { path: '^db/' },
    },
    {
      name: 'db-not-connectors',
      severity: 'error',
      comment: 'Repositories know SQL and domain types, not vendors.',
      from: { path: '^db/' },
      to: { path: '^connectors/' },
    },
    {
      name: 'platform-lowest',
      severity: 'error',
      comment: 'platform/ is process plumbing every layer uses; it uses only domain/.',
      from: { path: '^platform/' },
      to: { path: '^(activities|api|connectors|db|workflows|workers|sandbox|scripts|bench|test)/' },
    },
    {
      name: 'sandbox-own-world',
      severity: 'error',
      comment:
        "The sandboxes stand in for NetSuite and Shopify: they share platform plumbing and the generic pg pool and migrator, never Quayside's runtime.",
      from: { path: '^sandbox/' },
      to: {
        path: '^(activities|api|connectors|db|workflows|workers)/',
        // A Shopify Function is deployed to Shopify and runs there; the sandbox store runs it the same way.
        pathNot: ['^db/(pool|migrate)[.]ts$', '^connectors/shopify/functions/'],
      },
    },
    {
      name: 'shopify-functions-self-contained',
      severity: 'error',
      comment:
        'A Shopify Function is compiled on its own (to WebAssembly): it imports nothing outside its folder.',
      from: { path: '^connectors/shopify/functions/([^/]+)/' },
      to: { pathNot: ['^connectors/shopify/functions/$1/'] },
    },
    {
      name: 'nothing-imports-tests-or-tools',
      severity: 'error',
      comment: 'Product code does not depend on tests, scripts or benchmarks.',
      from: { path: '^(activities|api|connectors|db|domain|platform|sandbox|workers|workflows)/' },
      to: { path: '^(test|scripts|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|[.]quayside)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

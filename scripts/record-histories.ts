import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runMain, StartupError } from '../platform/main';
import { HISTORIES_ROOT, RECORD_ENV } from '../test/support/histories';

/**
 * The test files whose scenarios save a history of every workflow type (and of each path an order,
 * return or customer application can take) through `recordHistory` in test/support/histories.ts.
 */
const RECORDING_TESTS = [
  'test/orders/order-to-invoice.test.ts',
  'test/returns/returnRefund.test.ts',
  'test/approvals/api.test.ts',
  'test/customers/customerApproval.test.ts',
  'test/sync/inventory-sync.test.ts',
  'test/sync/catalog-quote.test.ts',
  'test/sync/reconcile.test.ts',
];

/**
 * Records this release's workflow histories into test/histories/<version>/ (version from
 * package.json, or the first argument). The scenarios run against their own Temporal dev server with
 * the tests' fakes; files already there are kept as they are — a release's histories are never
 * regenerated in place (docs/versioning.md).
 */
runMain('record-histories', async () => {
  const root = path.join(__dirname, '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const version = process.argv[2] ?? pkg.version;
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version))
    throw new StartupError(`"${version}" is not a release version.`);
  const dir = path.join(HISTORIES_ROOT, version);
  const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const run = spawnSync('npx', ['vitest', 'run', ...RECORDING_TESTS], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, [RECORD_ENV]: version },
  });
  if (run.status !== 0)
    throw new StartupError('The recording scenarios failed; no release is recorded from red tests.');
  const added = fs.readdirSync(dir).filter((f) => !before.has(f));
  // The workflow types this release runs; the replay test checks each has a history here.
  const manifest = path.join(dir, 'workflow-types.json');
  if (!fs.existsSync(manifest)) {
    const workflows = (await import('../workflows')) as Record<string, unknown>;
    const types = Object.entries(workflows)
      .filter(([, v]) => typeof v === 'function' && v.constructor.name === 'AsyncFunction')
      .map(([name]) => name)
      .sort();
    fs.writeFileSync(manifest, `${JSON.stringify(types, null, 2)}\n`);
  }
  process.stdout.write(
    `${dir}: ${added.length} new histories${added.length ? `\n  ${added.join('\n  ')}` : ''}; ${before.size} kept as they were\n`,
  );
});

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/**
 * The layer check `npm test` runs (.dependency-cruiser.cjs), applied to a small project of bad
 * imports in a scratch folder shaped like Quayside's: it must name each one, and pass the clean files.
 */
describe('layer rules', () => {
  let dir: string;
  let result: { code: number; report: string };

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quayside-layers-'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    write('db/pool.ts', "import pg from 'pg';\nexport const pool = () => new pg.Pool();\n");
    write('domain/clean.ts', "import { z } from 'zod';\nexport const Sku = z.string();\n");
    write('domain/bad-io.ts', "import pg from 'pg';\nexport const client = () => new pg.Client();\n");
    write('domain/cycle-a.ts', "import { b } from './cycle-b';\nexport const a = () => b;\n");
    write('domain/cycle-b.ts', "import { a } from './cycle-a';\nexport const b = () => a;\n");
    write('activities/orders.ts', "import { pool } from '../db/pool';\nexport const load = () => pool();\n");
    write(
      'workflows/good.ts',
      "import type { load } from '../activities/orders';\nimport { Sku } from '../domain/clean';\nexport type L = typeof load;\nexport const s = Sku;\n",
    );
    write('workflows/bad.ts', "import { load } from '../activities/orders';\nexport const w = load;\n");
    write(
      'workflows/bad-client.ts',
      "import { Client } from '@temporalio/client';\nexport const c = Client;\n",
    );
    write('db/bad.ts', "import { load } from '../activities/orders';\nexport const d = load;\n");
    write(
      'domain/contracts/good.ts',
      "import { defineSignal } from '@temporalio/workflow';\nexport const stop = defineSignal('stop');\n",
    );
    write(
      'domain/contracts/bad-client.ts',
      "import { Client } from '@temporalio/client';\nexport const c = Client;\n",
    );
    write(
      'domain/bad-temporal.ts',
      "import { defineSignal } from '@temporalio/workflow';\nexport const d = defineSignal;\n",
    );
    write('api/good.ts', "import { stop } from '../domain/contracts/good';\nexport const s = stop;\n");
    write('api/bad.ts', "import { w } from '../workflows/bad';\nexport const a = w;\n");
    write('connectors/netsuite/client.ts', 'export const erp = () => 1;\n');
    write('connectors/shopify/webhooks/verify.ts', 'export const verify = () => true;\n');
    write(
      'api/webhook-route.ts',
      "import { verify } from '../connectors/shopify/webhooks/verify';\nexport const v = verify;\n",
    );
    write(
      'api/bad-vendor.ts',
      "import { erp } from '../connectors/netsuite/client';\nexport const e = erp;\n",
    );
    const args = [
      path.join(root, 'node_modules/.bin/depcruise'),
      '.',
      '--config',
      path.join(root, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ];
    const out = await run(process.execPath, args, { cwd: dir, maxBuffer: 1 << 26 }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    result = { code: out.code, report: out.stdout };
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** `error <rule>: <from> → <to>` lines, a package named by its name rather than its file. */
  const violations = () =>
    [...result.report.matchAll(/^\s*error (\S+): (\S+) →\s+(\S+)/gm)]
      .map(
        ([, rule, from, to]) =>
          `${rule}: ${from} → ${to?.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')}`,
      )
      .sort();

  it('fails the check, naming every bad import and only those', () => {
    expect(result.code).not.toBe(0);
    expect(violations()).toEqual(
      [
        'workflows-deterministic: workflows/bad-client.ts → @temporalio/client',
        'connectors-db-lower-layers: db/bad.ts → activities/orders.ts',
        'domain-no-io: domain/bad-io.ts → pg',
        'no-circular: domain/cycle-a.ts → domain/cycle-b.ts',
        'workflows-activity-types-only: workflows/bad.ts → activities/orders.ts',
        'contracts-message-definitions-only: domain/contracts/bad-client.ts → @temporalio/client',
        'domain-no-temporal: domain/bad-temporal.ts → @temporalio/workflow',
        'api-through-contracts: api/bad.ts → workflows/bad.ts',
        'api-connectors-webhooks-only: api/bad-vendor.ts → connectors/netsuite/client.ts',
      ].sort(),
    );
  });
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import os from 'node:os';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

async function start(env: Record<string, string>) {
  try {
    await run(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('npm start with a missing dependency', () => {
  it('names PostgreSQL in one sentence when it is not reachable', async () => {
    const { code, stderr } = await start({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/quayside',
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      /^quayside: PostgreSQL is not reachable at 127\.0\.0\.1:1; start it or set DATABASE_URL\.$/,
    );
  });

  it('names TEMPORAL_ADDRESS in one sentence when it points nowhere', async () => {
    const { code, stderr } = await start({
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DATABASE_URL: inject('databaseUrl'),
      SANDBOX_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      QUAYSIDE_DATA_DIR: path.join(os.tmpdir(), `quayside-startup-${process.pid}`),
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'quayside: Cannot reach Temporal at TEMPORAL_ADDRESS=127.0.0.1:1; start that server or unset TEMPORAL_ADDRESS to let Quayside run its own.',
    );
  });

  it('lists every bad variable', async () => {
    const { code, stderr } = await start({ API_PORT: 'x', TEMPORAL_PORT: '-4' });
    expect(code).toBe(1);
    expect(stderr).toContain('API_PORT');
    expect(stderr).toContain('TEMPORAL_PORT');
    expect(stderr).not.toContain('    at ');
  });
});

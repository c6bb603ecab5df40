import { describe, expect, it } from 'vitest';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/worker';

/**
 * Every workflow execution evaluates the workflow bundle's modules again in its own sandbox
 * context (the SDK keeps one module cache per workflow). A workflow that imported zod and the
 * schemas built with it paid for evaluating them on every run and every replay, in CPU per order
 * and memory per cached workflow (docs/performance.md). So workflow code imports only zod-free
 * modules: the schemas live in domain/schemas/ and validation happens in the API and activities.
 */
describe('the workflow bundle', () => {
  it('holds no zod and no schema module, and stays small', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: new DefaultLogger('WARN'),
    });
    const modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"$/gm)].map((m) => m[1]!);
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.filter((m) => m.includes('node_modules/zod/'))).toEqual([]);
    // (webpack names the SDK's ignored converter slots "?<hash>")
    const own = modules.filter((m) => !m.includes('node_modules/') && !m.startsWith('?'));
    expect(own.filter((m) => m.startsWith('./domain/schemas/'))).toEqual([]);
    expect(own.filter((m) => !/^\.\/(workflows|domain)\//.test(m))).toEqual([]);
    const npm = new Set(modules.map((m) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(m)?.[1]).filter(Boolean));
    expect([...npm].sort()).toEqual([
      '@temporalio/common',
      '@temporalio/workflow',
      'long',
      'ms',
      'nexus-rpc',
    ]);
    // 3.6 MiB with zod and the schemas; 2.5 MiB without (with its inline source map).
    expect(code.length).toBeLessThan(2.8 * 1024 * 1024);
  }, 180_000);
});

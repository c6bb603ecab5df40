import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { runMain } from '../platform/main';
import { PREBUILT_BUNDLE, WORKFLOWS_PATH } from '../workers/worker';

/** Prebuilds the workflow bundle that production workers load instead of bundling at start-up. */
runMain('build:workflows', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  fs.mkdirSync(path.dirname(PREBUILT_BUNDLE), { recursive: true });
  fs.writeFileSync(PREBUILT_BUNDLE, code);
  process.stdout.write(`wrote ${PREBUILT_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB)\n`);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The machine a benchmark ran on, as the report names it. */
export function describeMachine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const sdk = JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '..', 'node_modules', '@temporalio', 'worker', 'package.json'),
      'utf8',
    ),
  ) as { version: string };
  return {
    cpuModel: model,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    temporalSdk: sdk.version,
  };
}

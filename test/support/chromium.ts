import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const APT_LISTS = '/var/lib/apt/lists';
const MANUAL_COMMAND = 'sudo apt-get update && sudo apt-get install -y chromium';

/** What the machine offers, probed once by `probeMachine`. */
export interface MachineFacts {
  chromiumInstalled: boolean;
  aptGet: boolean;
  root: boolean;
  /** `sudo -n true` succeeds: sudo runs without asking for a password. */
  sudoWithoutPassword: boolean;
  /** apt has downloaded no package lists yet (a fresh image), so `apt-get install` would find nothing. */
  packageListsEmpty: boolean;
}

export type ChromiumPlan =
  { action: 'found' } | { action: 'install'; commands: string[][] } | { action: 'cannot'; message: string };

export class ChromiumUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumUnavailableError';
  }
}

const cannot = (why: string): ChromiumPlan => ({
  action: 'cannot',
  message: `The browser tests need Debian's Chromium at ${CHROMIUM_PATH} and ${why}: run \`${MANUAL_COMMAND}\`, then \`npm test\` again.`,
});

/** Decides how to get Chromium: use it, install it with apt (as root or through sudo), or say what to run. */
export function planChromium(m: MachineFacts): ChromiumPlan {
  if (m.chromiumInstalled) return { action: 'found' };
  if (!m.aptGet) return cannot('this machine has no apt-get to install it with');
  if (!m.root && !m.sudoWithoutPassword)
    return cannot('installing it needs root, and sudo asks for a password here');
  const prefix = m.root ? [] : ['sudo', '-n'];
  const apt = (...args: string[]) => [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  return {
    action: 'install',
    commands: [
      ...(m.packageListsEmpty ? [apt('update', '-q')] : []),
      apt('install', '-y', '-q', '--no-install-recommends', 'chromium'),
    ],
  };
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function probeMachine(): MachineFacts {
  let lists: string[] = [];
  try {
    lists = fs.readdirSync(APT_LISTS);
  } catch {
    // no apt state at all: treated as empty
  }
  let executable = false;
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    executable = true;
  } catch {
    executable = false;
  }
  return {
    chromiumInstalled: executable,
    aptGet: hasCommand('apt-get'),
    root: process.getuid?.() === 0,
    sudoWithoutPassword:
      hasCommand('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    packageListsEmpty: !lists.some((f) => f.includes('_Packages')),
  };
}

/** Finds Chromium or installs it; throws one sentence naming the command to run when it may not. */
export function ensureChromium(
  log: (line: string) => void = () => undefined,
  facts: MachineFacts = probeMachine(),
): string {
  const plan = planChromium(facts);
  if (plan.action === 'found') return CHROMIUM_PATH;
  if (plan.action === 'cannot') throw new ChromiumUnavailableError(plan.message);
  for (const [cmd, ...args] of plan.commands) {
    log(`installing Chromium for the browser tests: ${[cmd, ...args].join(' ')}`);
    try {
      execFileSync(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10 * 60_000 });
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
      throw new ChromiumUnavailableError(
        `Installing Chromium failed (${stderr.split('\n').pop() || (err as Error).message}); run \`${MANUAL_COMMAND}\`, then \`npm test\` again.`,
      );
    }
  }
  if (!probeMachine().chromiumInstalled)
    throw new ChromiumUnavailableError(
      `apt-get installed chromium but ${CHROMIUM_PATH} is still missing; run \`${MANUAL_COMMAND}\`, then \`npm test\` again.`,
    );
  return CHROMIUM_PATH;
}

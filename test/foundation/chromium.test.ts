import { describe, expect, it } from 'vitest';
import {
  ChromiumUnavailableError,
  ensureChromium,
  planChromium,
  type MachineFacts,
} from '../support/chromium';

const fresh: MachineFacts = {
  chromiumInstalled: false,
  aptGet: true,
  root: true,
  sudoWithoutPassword: false,
  packageListsEmpty: false,
};

describe('npm test brings Chromium for the browser tests', () => {
  it('uses the installed Chromium and installs nothing', () => {
    expect(planChromium({ ...fresh, chromiumInstalled: true, aptGet: false, root: false })).toEqual({
      action: 'found',
    });
  });

  it('installs it with apt as root, refreshing the package lists first only when they are empty', () => {
    const plain = planChromium(fresh);
    expect(plain.action).toBe('install');
    const commands = plain.action === 'install' ? plain.commands : [];
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain('install');
    expect(commands[0]).toContain('chromium');
    expect(commands[0]![0]).not.toBe('sudo');

    const empty = planChromium({ ...fresh, packageListsEmpty: true });
    const steps = empty.action === 'install' ? empty.commands.map((c) => c.slice(c.indexOf('apt-get'))) : [];
    expect(steps.map((c) => c[1])).toEqual(['update', 'install']);
  });

  it('goes through sudo without a password prompt when not root', () => {
    const plan = planChromium({ ...fresh, root: false, sudoWithoutPassword: true, packageListsEmpty: true });
    expect(plan.action).toBe('install');
    for (const c of plan.action === 'install' ? plan.commands : [])
      expect(c.slice(0, 2)).toEqual(['sudo', '-n']);
  });

  it.each([
    ['no root and sudo would ask for a password', { root: false, sudoWithoutPassword: false }],
    ['no apt-get', { aptGet: false }],
  ])('stops with one sentence naming the command to run when %s', (_why, facts) => {
    const plan = planChromium({ ...fresh, ...facts });
    expect(plan.action).toBe('cannot');
    const message = plan.action === 'cannot' ? plan.message : '';
    expect(message).toContain('sudo apt-get update && sudo apt-get install -y chromium');
    expect(message.trim().split(/(?<=\.)\s+[A-Z]/)).toHaveLength(1);
    expect(() => ensureChromium(undefined, { ...fresh, ...facts })).toThrow(ChromiumUnavailableError);
  });
});

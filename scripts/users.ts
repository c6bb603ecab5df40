import { Command, InvalidArgumentError } from 'commander';
import { createPool } from '../db/pool';
import { principalRepository, type Role } from '../db/principals';
import { loadConfig } from '../platform/config';
import { ApprovalKind } from '../domain/schemas/approvals';
import { MoneyText } from '../domain/schemas/formats';

const roles: Role[] = ['approver', 'operator', 'admin'];
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseRole(v: string): Role {
  if (!roles.includes(v as Role)) throw new InvalidArgumentError(`one of ${roles.join(', ')}`);
  return v as Role;
}
function parseLimit(v: string): string {
  if (!MoneyText.safeParse(v).success)
    throw new InvalidArgumentError('a decimal amount such as 10000 or 2500.00');
  return v;
}
function parseKinds(v: string): string[] {
  const kinds = list(v);
  for (const k of kinds)
    if (!ApprovalKind.safeParse(k).success)
      throw new InvalidArgumentError(`kinds among ${ApprovalKind.options.join(', ')}`);
  return kinds;
}

async function withRepo<T>(fn: (repo: ReturnType<typeof principalRepository>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = createPool(config.DATABASE_URL, { max: 1, applicationName: 'quayside-users' });
  try {
    return await fn(principalRepository(db));
  } finally {
    await db.end();
  }
}

const program = new Command('users').description(
  'Approvers, operators and admins of the Quayside API, and their API keys.',
);

program
  .command('create')
  .description('create a user and print its API key (shown once; only a hash is stored)')
  .requiredOption('--name <name>', 'display name, recorded with each decision')
  .requiredOption('--role <role>', 'approver, operator or admin', parseRole)
  .option('--email <email>', 'where approval requests are sent')
  .option('--limit <amount>', 'the most this user may approve (admins without one have no limit)', parseLimit)
  .option('--kinds <kinds>', 'comma-separated approval kinds this user sees (default: all)', parseKinds)
  .option('--stores <stores>', 'comma-separated stores this user sees (default: all)', list)
  .action(
    async (o: {
      name: string;
      role: Role;
      email?: string;
      limit?: string;
      kinds?: string[];
      stores?: string[];
    }) => {
      const { principal, apiKey } = await withRepo((repo) =>
        repo.create({
          name: o.name,
          role: o.role,
          email: o.email,
          approvalLimit: o.limit ?? null,
          approvalKinds: o.kinds ?? null,
          stores: o.stores ?? null,
        }),
      );
      process.stdout.write(`${JSON.stringify({ ...principal, apiKey }, null, 2)}\n`);
      process.stderr.write('Store the API key now: it cannot be shown again.\n');
    },
  );

program
  .command('list')
  .description('list users (never their keys)')
  .action(async () => {
    const users = await withRepo((repo) => repo.list());
    process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
  });

program
  .command('rotate-key <userId>')
  .description('revoke the user’s keys and print a new one')
  .action(async (userId: string) => {
    const apiKey = await withRepo(async (repo) => {
      if (!(await repo.get(userId))) throw new Error(`no user ${userId}`);
      await repo.revokeKeys(userId);
      return repo.issueKey(userId);
    });
    process.stdout.write(`${apiKey}\n`);
  });

program
  .command('disable <userId>')
  .description('disable a user; their keys stop working at once')
  .action(async (userId: string) => {
    const done = await withRepo((repo) => repo.disable(userId));
    if (!done) throw new Error(`no active user ${userId}`);
    process.stdout.write(`disabled ${userId}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});

import fs from 'node:fs';
import path from 'node:path';

/** `npm run bench -- <name> [args]` runs bench/<name>.ts; with no name, lists the benchmarks. */
const [name, ...rest] = process.argv.slice(2);
const available = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !['run.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''));

if (!name || !available.includes(name)) {
  process.stdout.write(`usage: npm run bench -- <${available.join('|')}> [options]\n`);
  process.exit(name ? 1 : 0);
}
process.argv = [process.argv[0]!, path.join(__dirname, `${name}.ts`), ...rest];
void import(path.join(__dirname, `${name}.ts`));

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema } from '../../platform/config';

const root = path.resolve(__dirname, '../..');
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  depends_on?: string[] | Record<string, unknown>;
  environment?: Record<string, string>;
  profiles?: string[];
}
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);

describe('docker-compose.yml', () => {
  it('has the production-shaped stack, with the sandboxes under a profile', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'temporal',
        'temporal-ui',
        'api',
        'worker',
        'sandbox-erp',
        'sandbox-storefront',
      ]),
    );
    expect(compose.services['sandbox-erp']!.profiles).toEqual(['sandbox']);
    expect(compose.services['sandbox-storefront']!.profiles).toEqual(['sandbox']);
    expect(compose.services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
  });

  it.each(services)('%s: build paths, command files and dependencies exist', (_name, service) => {
    expect(Boolean(service.image) !== Boolean(service.build)).toBe(true);
    if (service.image) expect(service.image).not.toMatch(/:latest$|^[^:]+$/);
    if (service.build) {
      expect(fs.existsSync(path.join(root, service.build.context))).toBe(true);
      expect(fs.existsSync(path.join(root, service.build.context, service.build.dockerfile))).toBe(true);
    }
    for (const arg of service.command ?? []) {
      if (/\.(ts|js)$/.test(arg)) expect(fs.existsSync(path.join(root, arg)), `${arg} exists`).toBe(true);
    }
    const deps = Array.isArray(service.depends_on)
      ? service.depends_on
      : Object.keys(service.depends_on ?? {});
    for (const dep of deps) expect(compose.services[dep], `depends on ${dep}`).toBeDefined();
  });

  it.each(services)('%s: ports are well formed and match what the process listens on', (name, service) => {
    const defaults = EnvSchema.parse({});
    const listens: Record<string, number> = {
      api: defaults.API_PORT,
      'sandbox-erp': defaults.SANDBOX_ERP_PORT,
      'sandbox-storefront': defaults.SANDBOX_STORE_PORT,
    };
    for (const mapping of service.ports ?? []) {
      const [host, container] = mapping.split(':').map(Number);
      expect(Number.isInteger(host) && Number.isInteger(container)).toBe(true);
      if (listens[name] !== undefined) expect(container).toBe(listens[name]);
    }
  });

  it('passes only configuration variables Quayside knows, and they parse', () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    for (const [name, service] of services) {
      if (!service.build) continue;
      const env = service.environment ?? {};
      for (const key of Object.keys(env))
        expect(known.has(key), `${name}: ${key} is a Quayside setting`).toBe(true);
      expect(EnvSchema.safeParse(env).success).toBe(true);
    }
  });

  it('the Dockerfile copies only paths that exist', () => {
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const copies = [...dockerfile.matchAll(/^COPY\s+(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copies.length).toBeGreaterThan(5);
    for (const source of copies)
      expect(fs.existsSync(path.join(root, source)), `${source} exists`).toBe(true);
  });
});

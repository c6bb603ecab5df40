import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './pool';

export type Role = 'approver' | 'operator' | 'admin';

export interface Principal {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  /** Decimal string; null = no limit for admins, no money decisions for others. */
  approvalLimit: string | null;
  /** Approval kinds this principal sees; null = all. */
  approvalKinds: string[] | null;
  /** Stores this principal sees; null = all. */
  stores: string[] | null;
}

export interface NewPrincipal {
  name: string;
  email?: string | null;
  role: Role;
  approvalLimit?: string | null;
  approvalKinds?: string[] | null;
  stores?: string[] | null;
}

const KEY_PREFIX = 'qk';
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Splits `qk_<keyId>_<secret>`; null when the text is not shaped like a Quayside key. */
export function parseApiKey(apiKey: string): { keyId: string; secret: string } | null {
  const m = /^qk_([0-9a-f]{16})_([A-Za-z0-9_-]{40,})$/.exec(apiKey.trim());
  return m?.[1] && m[2] ? { keyId: m[1], secret: m[2] } : null;
}

interface PrincipalRow {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  approval_limit: string | null;
  approval_kinds: string[] | null;
  stores: string[] | null;
}

const toPrincipal = (r: PrincipalRow): Principal => ({
  id: r.id,
  name: r.name,
  email: r.email,
  role: r.role,
  approvalLimit: r.approval_limit,
  approvalKinds: r.approval_kinds,
  stores: r.stores,
});

const COLUMNS =
  'p.id, p.name, p.email, p.role, p.approval_limit::text AS approval_limit, p.approval_kinds, p.stores';

/** An active API key (not revoked, its principal not disabled): its secret's hash and its principal. */
export interface ActiveKey {
  keyId: string;
  secretHash: string;
  principal: Principal;
}

/**
 * The active keys among these key ids or of these principals; every active key when `of` is absent.
 * `db` may be a client inside a transaction (the quote cache reads them in its snapshot).
 */
export async function activeKeys(
  db: Pick<Db, 'query'>,
  of?: { keyIds: string[]; principalIds: string[] },
): Promise<ActiveKey[]> {
  const res = await db.query<PrincipalRow & { key_id: string; secret_hash: string }>(
    `SELECT ${COLUMNS}, k.key_id, k.secret_hash
       FROM api_keys k JOIN principals p ON p.id = k.principal_id
      WHERE k.revoked_at IS NULL AND p.disabled_at IS NULL
        ${of ? 'AND (k.key_id = ANY ($1::text[]) OR k.principal_id = ANY ($2::text[]))' : ''}`,
    of ? [of.keyIds, of.principalIds] : [],
  );
  return res.rows.map((r) => ({ keyId: r.key_id, secretHash: r.secret_hash, principal: toPrincipal(r) }));
}

/** The key's principal when `secret` is its secret (compared in constant time); null otherwise or without a key. */
export function principalOfKey(key: ActiveKey | undefined, secret: string): Principal | null {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(key?.secretHash ?? '0'.repeat(64), 'hex');
  if (!key || stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
  return key.principal;
}

/**
 * Principals (people and services calling the API) and their API keys. A key's secret is shown
 * once when issued; only its SHA-256 hash is stored (the secret is 256 random bits, so a fast hash
 * is as strong as a slow one here and keeps each request cheap).
 */
/** How often a key's `last_used_at` is written while it is in use (to the minute, not per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

export function principalRepository(db: Db) {
  /** Key id → when this repository last wrote its `last_used_at`. */
  const touched = new Map<string, number>();
  const repo = {
    async create(input: NewPrincipal): Promise<{ principal: Principal; apiKey: string }> {
      const id = `u_${randomBytes(8).toString('hex')}`;
      const res = await db.query<PrincipalRow>(
        `INSERT INTO principals (id, name, email, role, approval_limit, approval_kinds, stores)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, name, email, role, approval_limit::text AS approval_limit, approval_kinds, stores`,
        [
          id,
          input.name,
          input.email ?? null,
          input.role,
          input.approvalLimit ?? null,
          input.approvalKinds ?? null,
          input.stores ?? null,
        ],
      );
      const row = res.rows[0];
      if (!row) throw new Error('principal was not created');
      const principal = toPrincipal(row);
      return { principal, apiKey: await this.issueKey(principal.id) };
    },

    /** Issues a new key for the principal and returns it; the secret cannot be read back later. */
    async issueKey(principalId: string): Promise<string> {
      const keyId = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      await db.query('INSERT INTO api_keys (key_id, principal_id, secret_hash) VALUES ($1, $2, $3)', [
        keyId,
        principalId,
        hashSecret(secret),
      ]);
      return `${KEY_PREFIX}_${keyId}_${secret}`;
    },

    async revokeKeys(principalId: string): Promise<number> {
      const res = await db.query(
        'UPDATE api_keys SET revoked_at = now() WHERE principal_id = $1 AND revoked_at IS NULL',
        [principalId],
      );
      return res.rowCount ?? 0;
    },

    async disable(principalId: string): Promise<boolean> {
      const res = await db.query(
        'UPDATE principals SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL',
        [principalId],
      );
      return (res.rowCount ?? 0) > 0;
    },

    /**
     * The active principal holding this key, or null (unknown, revoked, disabled, or a wrong secret);
     * reads only (`touch` records the use).
     */
    async verify(apiKey: string): Promise<Principal | null> {
      const parsed = parseApiKey(apiKey);
      if (!parsed) return null;
      const [key] = await activeKeys(db, { keyIds: [parsed.keyId], principalIds: [] });
      return principalOfKey(key, parsed.secret);
    },

    /**
     * Records that a key was used: `last_used_at`, written at most once a minute per key, so a key
     * answering hundreds of requests a second (checkout quotes) costs no write per request.
     */
    async touch(keyId: string): Promise<void> {
      const now = Date.now();
      if (now - (touched.get(keyId) ?? -Infinity) < LAST_USED_RESOLUTION_MS) return;
      touched.set(keyId, now);
      await db.query('UPDATE api_keys SET last_used_at = now() WHERE key_id = $1', [keyId]);
    },

    /** `verify`, then `touch` when the key is good. */
    async authenticate(apiKey: string): Promise<Principal | null> {
      const principal = await repo.verify(apiKey);
      if (principal) await repo.touch(parseApiKey(apiKey)!.keyId);
      return principal;
    },

    /** Key id of a well-formed key (null otherwise): what a browser session remembers instead of the key. */
    keyIdOf(apiKey: string): string | null {
      return parseApiKey(apiKey)?.keyId ?? null;
    },

    /** The principal, while it is active and the key it signed in with is not revoked; else null. */
    async activeWithKey(principalId: string, keyId: string): Promise<Principal | null> {
      const res = await db.query<PrincipalRow>(
        `SELECT ${COLUMNS}
           FROM api_keys k JOIN principals p ON p.id = k.principal_id
          WHERE k.key_id = $1 AND p.id = $2 AND k.revoked_at IS NULL AND p.disabled_at IS NULL`,
        [keyId, principalId],
      );
      return res.rows[0] ? toPrincipal(res.rows[0]) : null;
    },

    async get(id: string): Promise<Principal | null> {
      const res = await db.query<PrincipalRow>(`SELECT ${COLUMNS} FROM principals p WHERE p.id = $1`, [id]);
      return res.rows[0] ? toPrincipal(res.rows[0]) : null;
    },

    async list(): Promise<(Principal & { disabled: boolean })[]> {
      const res = await db.query<PrincipalRow & { disabled: boolean }>(
        `SELECT ${COLUMNS}, p.disabled_at IS NOT NULL AS disabled FROM principals p ORDER BY p.created_at`,
      );
      return res.rows.map((r) => ({ ...toPrincipal(r), disabled: r.disabled }));
    },

    /** Active approvers and admins who see this kind and store and whose limit covers the amount. */
    async approversFor(input: {
      kind: string;
      store: string | null;
      amount: string | null;
    }): Promise<Principal[]> {
      const res = await db.query<PrincipalRow>(
        `SELECT ${COLUMNS} FROM principals p
          WHERE p.disabled_at IS NULL AND p.role IN ('approver', 'admin')
            AND (p.approval_kinds IS NULL OR $1 = ANY (p.approval_kinds))
            AND (p.stores IS NULL OR $2::text IS NULL OR $2 = ANY (p.stores))
            AND ($3::numeric IS NULL OR (p.approval_limit IS NULL AND p.role = 'admin') OR p.approval_limit >= $3::numeric)
          ORDER BY p.approval_limit NULLS LAST, p.created_at`,
        [input.kind, input.store, input.amount],
      );
      return res.rows.map(toPrincipal);
    },
  };
  return repo;
}

export type PrincipalRepository = ReturnType<typeof principalRepository>;

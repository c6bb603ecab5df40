import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * AES-256-GCM payload codec: workflow inputs, results, signals and activity payloads (customer
 * names, addresses, prices) are encrypted before they reach Temporal, so its database and UI hold
 * ciphertext. Every payload records the id of the key it was sealed with, so keys can rotate: the
 * newest key encrypts, all known keys decrypt.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: { id: string; key: Buffer };

  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('the encryption codec needs at least one key');
    for (const k of keys)
      if (k.length !== 32)
        throw new Error('payload encryption keys must be 32 bytes (base64 of 32 random bytes)');
    this.keys = new Map(keys.map((key) => [keyId(key), key]));
    this.current = { id: keyId(keys[0]!), key: keys[0]! };
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCODING),
          [KEY_ID]: encoder.encode(this.current.id),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
      const id = decoder.decode(payload.metadata?.[KEY_ID] ?? new Uint8Array());
      const key = this.keys.get(id);
      if (!key) throw new Error(`payload sealed with unknown key ${id}; add it to QUAYSIDE_PAYLOAD_KEYS`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** Parses `QUAYSIDE_PAYLOAD_KEYS` (comma-separated base64 keys, newest first). */
export function parseKeys(value: string): Buffer[] {
  return value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => Buffer.from(k, 'base64'));
}

/** The data converter for clients and workers: encrypted when keys are configured. */
export function dataConverterFor(keys: string | undefined) {
  return keys ? { payloadCodecs: [new EncryptionCodec(parseKeys(keys))] } : undefined;
}

/**
 * The bad-input corpus under tests/corpus/ (see its README): loading and checking the files, and
 * rendering a message's payload against the sender's last sequence number and event time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { deviceKey, parseTopic } from '../../contracts/topics.js';
import { fromHex } from './mqtt-bytes.js';

export const CORPUS_DIR = path.resolve('tests/corpus');

const Code = z.string().regex(/^EVN_ERR_[A-Z_]+$/);

/** What the helpdesk does with the message when it reaches it. */
const HelpdeskExpectation = z.union([
  z.object({ code: Code }).strict(),
  z.object({ duplicate: z.literal(true) }).strict(),
  z.object({ accepted: z.literal(true), gaps: z.number().int().min(1).optional() }).strict(),
  /** no helpdesk subscription matches the topic: it never arrives */
  z.object({ unseen: z.literal(true) }).strict(),
]);
export type HelpdeskExpectation = z.infer<typeof HelpdeskExpectation>;

/** What a secured broker (auth, ACL, limits, validation) does when `as` publishes the message. */
const SecuredExpectation = z.union([
  z.object({ as: z.string(), outcome: z.literal('forwarded') }).strict(),
  z.object({ as: z.string(), outcome: z.enum(['diverted', 'disconnected']), code: Code }).strict(),
]);
export type SecuredExpectation = z.infer<typeof SecuredExpectation>;

export const CorpusMessage = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    about: z.string().min(1),
    topic: z.string(),
    payload: z.string().optional(),
    payloadBase64: z.string().optional(),
    generate: z.union([z.object({ padTo: z.number().int().positive() }).strict(), z.object({ nest: z.number().int().positive() }).strict()]).optional(),
    expect: HelpdeskExpectation,
    secured: SecuredExpectation,
  })
  .strict()
  .refine((m) => (m.payload === undefined) !== (m.payloadBase64 === undefined), 'exactly one of payload and payloadBase64');
export type CorpusMessage = z.infer<typeof CorpusMessage>;

const Outcome = z.enum(['closed', 'open', 'any']);
export const CorpusPacket = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    about: z.string().min(1),
    /** 'device': the bytes follow a valid CONNECT (as maria/fridge on the secured broker) and its CONNACK */
    session: z.enum(['none', 'device']),
    hex: z.string().optional(),
    base64: z.string().optional(),
    expect: z
      .object({
        open: Outcome,
        secured: z.object({ outcome: Outcome, code: Code.optional() }).strict(),
      })
      .strict(),
  })
  .strict()
  .refine((p) => (p.hex === undefined) !== (p.base64 === undefined), 'exactly one of hex and base64');
export type CorpusPacket = z.infer<typeof CorpusPacket> & { bytes: Buffer };

function loadDir<T>(dir: string, schema: z.ZodType<T>): T[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((f) => {
    const r = schema.safeParse(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    if (!r.success) throw new Error(`${f}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if ((r.data as { name: string }).name !== f.replace(/\.json$/, '')) throw new Error(`${f}: name does not match the file name`);
    return r.data;
  });
}

export const loadMessages = (): CorpusMessage[] => loadDir(path.join(CORPUS_DIR, 'messages'), CorpusMessage);

export const loadPackets = (): CorpusPacket[] =>
  loadDir(path.join(CORPUS_DIR, 'packets'), CorpusPacket).map((p) => ({ ...p, bytes: p.hex !== undefined ? fromHex(p.hex) : Buffer.from(p.base64!, 'base64') }));

/** The last accepted (seq, ts) per sender "<customerId>/<deviceId>", as the helpdesk's dedupe sees it. */
export type SenderState = Map<string, { seq: number; ts: number }>;

export function senderOf(topic: string): string | null {
  const t = parseTopic(topic);
  return t && t.scope === 'device' ? deviceKey(t.customerId, t.deviceId) : null;
}

/** Fills {{seq}}, {{seq+N}}, {{seq-N}}, {{ts}}, {{ts+N}}, {{ts-N}} and applies `generate`. */
export function render(m: CorpusMessage, state: SenderState, start: { seq: number; ts: number }): Buffer {
  const last = state.get(senderOf(m.topic) ?? '') ?? start;
  if (m.payloadBase64 !== undefined) return Buffer.from(m.payloadBase64, 'base64');
  let text = m.payload!.replace(/\{\{(seq|ts)([+-]\d+)?\}\}/g, (_, field: 'seq' | 'ts', delta?: string) => String(last[field] + Number(delta ?? 0)));
  if (m.generate && 'nest' in m.generate) text = '['.repeat(m.generate.nest) + ']'.repeat(m.generate.nest);
  if (m.generate && 'padTo' in m.generate) {
    const bare = Buffer.byteLength(JSON.stringify({ ...JSON.parse(text), pad: '' }));
    if (bare > m.generate.padTo) throw new Error(`${m.name}: payload is already longer than ${m.generate.padTo}`);
    text = JSON.stringify({ ...JSON.parse(text), pad: 'x'.repeat(m.generate.padTo - bare) });
  }
  return Buffer.from(text, 'utf8');
}

/** After the helpdesk accepted `payload` on `topic`: remember its seq and ts. */
export function remember(state: SenderState, topic: string, payload: Buffer): void {
  const sender = senderOf(topic);
  const json = JSON.parse(payload.toString('utf8')) as { seq: number; ts: number };
  if (sender) state.set(sender, { seq: json.seq, ts: json.ts });
}

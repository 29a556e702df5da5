/**
 * What a device announces at every connect (docs/devices.md): its kind, name, the readings it measures
 * and its extra ones, how often it reports (every `everyMs`, or its heartbeat when it reports by
 * exception, with `report` saying so), where it comes from, and with acknowledgements where its held
 * sequence starts. Pure: the agent stamps and encodes it.
 */
import { KIND_READINGS, type AnnounceBody, type DeviceKind } from '../contracts/index.js';
import type { AgentAnnounce } from './agent-options.js';

export interface AnnounceFacts {
  kind: DeviceKind;
  /** the name when the announce options give none */
  name: string;
  announce: AgentAnnounce | undefined;
  everyMs: number;
  /** the model's step: its sample period when it reports by exception */
  stepMs: number;
  /** its heartbeat when it reports by exception; null: periodically */
  heartbeatMs: number | null;
  /** with acknowledgements: it holds nothing at or below this seq; null: acks off */
  ackedAfter: number | null;
}

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

export function announceBody(f: AnnounceFacts): AnnounceBody {
  const a = f.announce;
  const body: AnnounceBody = {
    kind: f.kind,
    name: a?.name ?? f.name,
    measures: [...(a?.measures ?? KIND_READINGS[f.kind])],
    extra: [...(a?.extra ?? [])],
    reportEveryS: seconds(f.heartbeatMs ?? f.everyMs),
    source: a?.source ?? 'simulator',
  };
  if (f.heartbeatMs !== null) body.report = { mode: 'exception', heartbeatS: seconds(f.heartbeatMs), sampleEveryS: seconds(f.stepMs) };
  if (f.ackedAfter !== null) body.acks = { after: f.ackedAfter };
  return body;
}

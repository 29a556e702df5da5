/**
 * Zod schemas for every payload on the wire, and the TypeScript types inferred from them. Each payload
 * is defined once as a body (what the sender means: `TelemetryBody`, `EventBody`, `CommandBody`, ...);
 * the message on the wire is the body stamped with the envelope `{v, ts, seq}` (envelope.ts), and its
 * schema (`Telemetry`, `DeviceEvent`, `Command`, ...) is derived from the body's.
 */
import { z } from 'zod';
import { enveloped, envelope, EventTime, Seq, withFields } from './envelope.js';

export const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a lower-case slug: a-z, 0-9 and -');

export const DEVICE_KINDS = ['car-battery', 'fridge', 'washer'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;

const finite = (min: number, max: number) => z.number().min(min).max(max);

export const CarBatteryReadings = z.object({
  voltageV: finite(0, 20),
  /** battery current: positive charging, negative discharging */
  currentA: finite(-1000, 1000),
  /** total electrical load of the vehicle as the body computer reports it */
  loadA: finite(0, 1000),
  temperatureC: finite(-60, 100),
  engineRunning: z.boolean(),
  speedKmh: finite(0, 400),
  batterySaver: z.boolean(),
});
export type CarBatteryReadings = z.infer<typeof CarBatteryReadings>;

export const FridgeReadings = z.object({
  cabinetTempC: finite(-40, 80),
  ambientTempC: finite(-40, 80),
  setpointC: finite(-30, 20),
  doorOpen: z.boolean(),
  compressorOn: z.boolean(),
  powerW: finite(0, 10_000),
});
export type FridgeReadings = z.infer<typeof FridgeReadings>;

export const WASHER_PHASES = ['idle', 'scheduled', 'fill', 'heat', 'wash', 'rinse', 'drain', 'spin', 'done', 'paused'] as const;
export const WasherPhase = z.enum(WASHER_PHASES);
export type WasherPhase = z.infer<typeof WasherPhase>;

export const WasherReadings = z.object({
  phase: WasherPhase,
  powerW: finite(0, 10_000),
  waterTempC: finite(-10, 110),
  waterLevelL: finite(0, 200),
  drumRpm: finite(0, 3000),
  remainingS: finite(0, 86_400),
});
export type WasherReadings = z.infer<typeof WasherReadings>;

/** The names of each kind's own readings (a simulated model measures all of them). */
export const KIND_READINGS: Readonly<Record<DeviceKind, readonly string[]>> = {
  'car-battery': Object.keys(CarBatteryReadings.shape),
  fridge: Object.keys(FridgeReadings.shape),
  washer: Object.keys(WasherReadings.shape),
};

/** The name of a reading: the kind's own (`voltageV`) or an extra one a board measures (`humidityPct`). */
export const ReadingName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/, 'a reading name: a letter, then letters, digits or _ (at most 32)');
/** Most extra readings one device may report, and most reading names one announce may list. */
export const MAX_EXTRA_READINGS = 16;
/**
 * Readings beyond the kind's schema (board sensors, extra pins): numbers by name. No physics detector
 * reads them; the general detector watches them.
 */
export const ExtraReadings = z
  .record(ReadingName, finite(-1e9, 1e9))
  .refine((r) => Object.keys(r).length <= MAX_EXTRA_READINGS, { message: `at most ${MAX_EXTRA_READINGS} extra readings` });
export type ExtraReadings = z.infer<typeof ExtraReadings>;

export const TelemetryBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('car-battery'), readings: CarBatteryReadings, extra: ExtraReadings.optional() }),
  z.object({ kind: z.literal('fridge'), readings: FridgeReadings, extra: ExtraReadings.optional() }),
  z.object({ kind: z.literal('washer'), readings: WasherReadings, extra: ExtraReadings.optional() }),
]);
export type TelemetryBody = z.infer<typeof TelemetryBody>;
export const Telemetry = z.discriminatedUnion('kind', withFields(envelope, TelemetryBody.options));
export type Telemetry = z.infer<typeof Telemetry>;
/** The readings one kind of device reports. */
export type ReadingsOf<K extends DeviceKind> = Extract<TelemetryBody, { kind: K }>['readings'];

export const Item = z.object({
  name: z.string().min(1).max(80),
  quantity: z.number().min(0).max(1e6),
  unit: z.string().min(1).max(16),
});
export type Item = z.infer<typeof Item>;

/** One slot of an appliance's power sequence (as in EEBus power sequences): a duration at a mean power. */
export const PowerSlot = z.object({ durationS: z.number().int().min(1).max(86_400), powerW: finite(0, 10_000) });
export type PowerSlot = z.infer<typeof PowerSlot>;
/**
 * Slots in one flex offer: a day at quarter-hour resolution. The planner's work and what the helpdesk
 * keeps per open offer grow with it (2,000 slots made each plan take ~0.2 s of CPU); more is refused
 * like any contract violation (EVN_ERR_SCHEMA).
 */
export const MAX_OFFER_SLOTS = 96;

/** A device event without the envelope: what a device model raises. */
export const EventBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('inventory'), items: z.array(Item).max(500) }),
  z.object({
    type: z.literal('flex-offer'),
    offerId: Id,
    programme: z.string().min(1).max(40),
    earliestStart: EventTime,
    latestEnd: EventTime,
    slots: z.array(PowerSlot).min(1).max(MAX_OFFER_SLOTS),
  }),
  z.object({ type: z.literal('cycle'), state: z.enum(['started', 'finished', 'paused']), programme: z.string().max(40) }),
  z.object({ type: z.literal('trip'), state: z.enum(['started', 'ended']) }),
  /**
   * a car's engine crank, sent when it ends: its lowest voltage, the voltage at rest before it, the
   * current then and the battery's temperature; seen by the helpdesk whatever the telemetry interval
   */
  z.object({
    type: z.literal('crank'),
    minVoltageV: z.number().min(0).max(20),
    restVoltageV: z.number().min(0).max(20),
    currentA: z.number().min(-3000).max(0),
    temperatureC: z.number().min(-60).max(100),
    durationMs: z.number().int().min(0).max(120_000),
  }),
  z.object({
    type: z.literal('command-result'),
    commandId: Id,
    ok: z.boolean(),
    code: z.string().max(60).optional(),
    detail: z.string().max(200).optional(),
  }),
]);
export type EventBody = z.infer<typeof EventBody>;
export const DeviceEvent = z.discriminatedUnion('type', withFields(envelope, EventBody.options));
export type DeviceEvent = z.infer<typeof DeviceEvent>;

/** What the helpdesk (or a staff member) asks a device to do: the command before it gets its id. */
export const CommandRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('battery-saver'), on: z.boolean() }),
  z.object({ action: z.literal('switch-off-consumer'), consumer: z.string().min(1).max(40) }),
  z.object({ action: z.literal('display-message'), ticketId: z.string().max(64), text: z.string().max(500) }),
  z.object({ action: z.literal('schedule-start'), offerId: Id, startAt: EventTime }),
  z.object({ action: z.literal('start') }),
  z.object({ action: z.literal('pause') }),
  z.object({ action: z.literal('set-setpoint'), celsius: finite(-30, 20) }),
  z.object({ action: z.literal('report-inventory') }),
]);
export type CommandRequest = z.infer<typeof CommandRequest>;
/** A command without the envelope, as a device model sees it: the request and the id its result answers to. */
export const CommandBody = z.discriminatedUnion('action', withFields({ commandId: Id }, CommandRequest.options));
export type CommandBody = z.infer<typeof CommandBody>;
export const Command = z.discriminatedUnion('action', withFields(envelope, CommandBody.options));
export type Command = z.infer<typeof Command>;
export type CommandAction = Command['action'];

export const AvailabilityBody = z.object({
  state: z.enum(['online', 'offline']),
  kind: DeviceKind,
  /** 'will' when the broker published it as the device's last will */
  reason: z.enum(['connected', 'disconnected', 'will']),
});
export type AvailabilityBody = z.infer<typeof AvailabilityBody>;
export const Availability = enveloped(AvailabilityBody);
export type Availability = z.infer<typeof Availability>;

/**
 * Report by exception (devices/report-policy.ts): the device samples every `sampleEveryS` and publishes
 * only when a reading moved past its deadband or a flag changed, and at least every `heartbeatS`.
 * Each message carries all readings; a reading stays true (within its deadband) until the next message.
 */
export const ReportMode = z.object({
  mode: z.literal('exception'),
  heartbeatS: z.number().int().min(1).max(86_400),
  /** how often it samples its sensors (s): a change is published at most this late */
  sampleEveryS: z.number().int().min(1).max(86_400),
});
export type ReportMode = z.infer<typeof ReportMode>;

/**
 * What a device says of itself when it connects (retained, so a helpdesk that starts later still
 * hears it): its kind, a name for people, which of its kind's readings it really measures (the others
 * in its telemetry are defaults: a board without a current sensor still sends `currentA: 0`), the
 * extra readings it sends, and how often it reports. The helpdesk registers it from this (at once
 * when the broker authenticated the device, else pending until staff accept it), runs only the
 * detectors whose readings it measures, and calls it silent after missing several reports.
 */
export const AnnounceBody = z.object({
  kind: DeviceKind,
  name: z.string().min(1).max(80),
  measures: z.array(ReadingName).max(MAX_EXTRA_READINGS * 2),
  extra: z.array(ReadingName).max(MAX_EXTRA_READINGS).default([]),
  /**
   * the longest it stays quiet in normal operation (s): its telemetry interval when it reports
   * periodically, its heartbeat when it reports by exception
   */
  reportEveryS: z.number().int().min(1).max(86_400),
  /** what runs the device: a simulated model, a board through johnny-five, anything else */
  source: z.enum(['simulator', 'board', 'other']),
  /** how it reports; absent: periodically, every reportEveryS */
  report: ReportMode.optional(),
  /**
   * present: it keeps every telemetry message and event until the helpdesk confirms it on its `ack`
   * topic (AckBody), and sends again what is not confirmed (docs/scale.md#end-to-end-acknowledgements);
   * `after`: it holds nothing at or below this seq (confirmed before, or a new sequence), so the
   * helpdesk counts its messages without a gap from there. Absent: the broker's acknowledgement is enough for it
   */
  acks: z.object({ after: Seq }).optional(),
});
export type AnnounceBody = z.input<typeof AnnounceBody>;
export const Announce = enveloped(AnnounceBody);
export type Announce = z.infer<typeof Announce>;

/**
 * The helpdesk's confirmation to a device that announced `acks`: it holds every telemetry message and
 * event of the device with seq <= upTo durably (read from the cluster's stream, no gap below it). QoS 0 and
 * never retained: each one says all the earlier ones said, and one lost is repeated (a device sends
 * again what is not confirmed, and a copy is confirmed again); on a NATS cluster a QoS 0 subscription
 * is a plain one, which a node killed elsewhere cannot stall, while a QoS 1 subscription's JetStream
 * consumer can be. Batched (one for many messages); the envelope's seq is upTo.
 * `connection`: the device's latest connection whose announce and "online" it has read (their
 * envelopes' seq): a device says both again, the same bytes, until a confirmation names its connection.
 */
export const AckBody = z.object({ upTo: Seq, connection: Seq.optional() });
export type AckBody = z.infer<typeof AckBody>;
export const Ack = enveloped(AckBody);
export type Ack = z.infer<typeof Ack>;

export const Location = z.object({ lat: finite(-90, 90), lon: finite(-180, 180) });
export type Location = z.infer<typeof Location>;

export const RecipeRequestBody = z.object({
  type: z.literal('recipe'),
  requestId: Id,
  recipe: z.object({ name: z.string().min(1).max(120), ingredients: z.array(Item).min(1).max(100) }),
  location: Location,
});
export type RecipeRequestBody = z.infer<typeof RecipeRequestBody>;

/** What a customer's consent covers: contacts about their own devices, the company's offers, its partners' offers. */
export const PURPOSES = ['service', 'offers', 'partner-offers'] as const;
export type Purpose = (typeof PURPOSES)[number];
const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'");
export const QuietHoursBody = z.object({ from: TimeOfDay, to: TimeOfDay });
/** most companies or partners on one customer's blacklist */
export const MAX_BLACKLIST = 100;

/**
 * The customer's own settings, changed through the app (docs/customers.md). `purpose` and `channel`
 * are any slug on the wire: one this helpdesk does not know is answered with a coded error
 * (EVN_ERR_CONSENT_PURPOSE, EVN_ERR_CONSENT_CHANNEL) instead of being dropped unanswered.
 * Without `channel` a consent change is about the purpose as a whole.
 */
export const ConsentRequestBody = z.object({ type: z.literal('consent'), requestId: Id, purpose: Id, channel: Id.optional(), granted: z.boolean() });
/** companies or partners (ids) the customer's assistant refuses: their offers never reach the customer */
export const BlacklistRequestBody = z.object({
  type: z.literal('blacklist'),
  requestId: Id,
  add: z.array(Id).max(MAX_BLACKLIST).default([]),
  remove: z.array(Id).max(MAX_BLACKLIST).default([]),
});
/** quiet hours (null: none) and the most non-urgent contacts a day (null: no cap); a field left out stays as it is */
export const PreferencesRequestBody = z.object({
  type: z.literal('preferences'),
  requestId: Id,
  quietHours: QuietHoursBody.nullable().optional(),
  maxContactsPerDay: z.number().int().min(0).max(100).nullable().optional(),
});
/** everything evernet holds about the customer, as one JSON document in base64 parts (CustomerAnswerBody.export) */
export const ExportRequestBody = z.object({ type: z.literal('export'), requestId: Id });
/** erase the customer's data; `confirm` must repeat the customer's id */
export const EraseRequestBody = z.object({ type: z.literal('erase'), requestId: Id, confirm: Id });

/** a ticket's id as the helpdesk makes it ('T-' and hex; a pseudonymised one too) */
export const TicketRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'a ticket id');
/** a workshop's slot: '<workshop>-<yyyymmddhhmm>' in the workshop's local time (helpdesk/bookings/slots.ts) */
export const SlotId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'a slot id');
/** how the customer answers a contact (docs/customers.md#dialogue-and-bookings) */
export const REPLY_ANSWERS = ['accept-fix', 'decline', 'call-me', 'pick-slot'] as const;
export type ReplyAnswer = (typeof REPLY_ANSWERS)[number];
/**
 * The customer answers what evernet told them: a ticket's contact (`ticketId`) or an offer
 * (`offerId`). Exactly one of the two; `slotId` with 'pick-slot'. A reply naming neither or both is
 * answered with EVN_ERR_REPLY_INPUT (the wire keeps the shape open for targets added later).
 */
export const ReplyRequestBody = z.object({
  type: z.literal('reply'),
  requestId: Id,
  ticketId: TicketRef.optional(),
  offerId: Id.optional(),
  answer: z.enum(REPLY_ANSWERS),
  slotId: SlotId.optional(),
});
export type ReplyRequestBody = z.infer<typeof ReplyRequestBody>;
/** the answer to the one satisfaction question evernet asks after a ticket is resolved: 1 (poor) to 5 (very good) */
export const SatisfactionRequestBody = z.object({ type: z.literal('satisfaction'), requestId: Id, ticketId: TicketRef, score: z.number().int().min(1).max(5) });
export type SatisfactionRequestBody = z.infer<typeof SatisfactionRequestBody>;

export const AppRequestBody = z.discriminatedUnion('type', [
  RecipeRequestBody, ConsentRequestBody, BlacklistRequestBody, PreferencesRequestBody, ExportRequestBody, EraseRequestBody, ReplyRequestBody, SatisfactionRequestBody,
]);
export type AppRequestBody = z.infer<typeof AppRequestBody>;
export const AppRequest = z.discriminatedUnion('type', withFields(envelope, AppRequestBody.options));
export type AppRequest = z.infer<typeof AppRequest>;

export const AssistantAnswerBody = z.object({
  requestId: Id,
  recipe: z.string(),
  missing: z.array(Item),
  store: z.object({ id: Id, name: z.string(), distanceKm: z.number() }).nullable(),
  text: z.string(),
});
export type AssistantAnswerBody = z.infer<typeof AssistantAnswerBody>;

/** A customer's consent as the app sees it after a change (helpdesk/customers/consent.ts keeps it). */
export const ConsentSettings = z.object({
  /** per purpose: opted in, and per channel (a channel not named follows the purpose) */
  purposes: z.record(z.string(), z.object({ granted: z.boolean(), channels: z.record(z.string(), z.boolean()) })),
  blacklist: z.array(Id),
  /** the customer's own quiet hours (null: none); absent: those staff registered hold */
  quietHours: QuietHoursBody.nullable().optional(),
  /** null: no cap */
  maxContactsPerDay: z.number().int().nullable(),
  /** event time of the last change; null: never changed (the defaults) */
  updatedAt: z.number().nullable(),
});
export type ConsentSettings = z.infer<typeof ConsentSettings>;

/**
 * One part of an export: the parts' chunks joined in `part` order and base64-decoded are the JSON
 * document gzipped (`encoding`); `bytes` and `sha256` are the document's own, after gunzip.
 */
export const EXPORT_PART_BYTES = 36_000;
export const ExportPart = z.object({
  part: z.number().int().min(0),
  parts: z.number().int().min(1),
  encoding: z.literal('gzip'),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  chunk: z.string().max((EXPORT_PART_BYTES / 3) * 4),
});
export type ExportPart = z.infer<typeof ExportPart>;

/** One slot of a workshop (or an appliance service's visit): event times (ms) and the places still free. */
export const BookingSlot = z.object({ slotId: SlotId, from: EventTime, to: EventTime, free: z.number().int().min(0) });
export type BookingSlot = z.infer<typeof BookingSlot>;
export const BOOKING_STATES = ['offered', 'accepted', 'confirmed', 'done'] as const;
export type BookingState = (typeof BOOKING_STATES)[number];
/** A booking of the product-service chain as the customer sees it: offered with free slots, then the slot taken. */
export const BookingView = z.object({
  bookingId: Id,
  ticketId: TicketRef,
  workshopId: Id,
  workshop: z.string(),
  state: z.enum(BOOKING_STATES),
  /** offered: slots to pick from (answer with a 'reply' 'pick-slot'); later: empty */
  slots: z.array(BookingSlot).max(50),
  /** the slot taken, once accepted */
  slot: BookingSlot.omit({ free: true }).nullable(),
  /** a car taken in gets a replacement car while it is in: its id once reserved */
  replacementCar: z.string().nullable(),
});
export type BookingView = z.infer<typeof BookingView>;
/** The one question after a ticket is resolved (answer with a 'satisfaction' request). */
export const SatisfactionAsk = z.object({ kind: z.literal('satisfaction'), ticketId: TicketRef, question: z.string().max(300), min: z.literal(1), max: z.literal(5) });
export type SatisfactionAsk = z.infer<typeof SatisfactionAsk>;

/** The helpdesk's answer to a customer's consent, blacklist, preferences, export, erase, reply or satisfaction request. */
export const CustomerAnswerBody = z.object({
  requestId: Id,
  type: z.enum(['consent', 'blacklist', 'preferences', 'export', 'erase', 'reply', 'satisfaction']),
  ok: z.boolean(),
  /** when not ok: the code (EVN_ERR_*) and a sentence; nothing was changed */
  error: z.object({ code: z.string().max(60), message: z.string().max(1000) }).optional(),
  consent: ConsentSettings.optional(),
  export: ExportPart.optional(),
  /** what an erasure removed */
  erased: z.record(z.string(), z.number().int().min(0)).optional(),
  /** a reply's outcome: the ticket's state after it, and its booking when it has one */
  reply: z.object({ ticketId: TicketRef, answer: z.enum(REPLY_ANSWERS), state: z.string(), booking: BookingView.nullable() }).optional(),
  /** the score recorded */
  satisfaction: z.object({ ticketId: TicketRef, score: z.number().int().min(1).max(5) }).optional(),
  /** a reply to an offer: the offer's state after it (accepted, declined) */
  offer: z.object({ offerId: Id, state: z.string() }).optional(),
});
export type CustomerAnswerBody = z.infer<typeof CustomerAnswerBody>;
export const AnswerBody = z.union([AssistantAnswerBody, CustomerAnswerBody]);
export type AnswerBody = z.infer<typeof AnswerBody>;
export const AssistantAnswer = z.union([enveloped(AssistantAnswerBody), enveloped(CustomerAnswerBody)]);
export type AssistantAnswer = z.infer<typeof AssistantAnswer>;

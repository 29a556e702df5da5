/**
 * What a helpdesk is made with (createHelpdesk, helpdesk/service.ts): its transport or broker, its
 * stores, its policies and tuning, a checkpoint to go on from.
 */
import type { Logger } from 'pino';
import type { Clock, Decoded } from '../contracts/index.js';
import type { BookingStore } from './bookings/store.js';
import type { HelpdeskCheckpoint } from './checkpoint.js';
import type { CoreDeps, CoreLimits } from './core.js';
import type { CustomerStore } from './customers/store.js';
import type { DetectionSettings } from './detect/detect.js';
import type { SatisfactionStore } from './dialogue/store.js';
import type { Directory } from './directory.js';
import type { LoadStore } from './loads/store.js';
import type { NotifyConfig } from './notify/notifier.js';
import type { OffersOptions } from './offers/offers.js';
import type { ConsentSeed } from './offers/seed.js';
import type { GroupOptions } from './problems/group.js';
import type { ProblemStore } from './problems/store.js';
import type { Registry } from './registry/index.js';
import type { TariffInput } from './schedule/source.js';
import type { TelemetryPolicy, TelemetryStore } from './telemetry/store.js';
import type { TicketStore } from './tickets/store.js';
import type { HelpdeskTransport } from './transport/transport.js';

export interface HelpdeskOptions {
  /**
   * added to the session part of this helpdesk's command ids (`c-<session><suffix>-<n>`): a cluster's
   * partitions each number their own commands, so each says which it is (`-p3`); default none
   */
  commandIdSuffix?: string;
  /** the MQTT broker (unless `transport` is given) */
  brokerUrl?: string;
  /**
   * a fleet's broker shards (docs/fleets.md): the helpdesk subscribes on every one and sends each
   * customer's messages through the shard `partitionOf(customer, n)` names; `brokerUrl` is then the first
   */
  brokerUrls?: readonly string[];
  /**
   * how messages come and go, instead of MQTT on `brokerUrl(s)`: a helpdesk worker on a NATS cluster
   * (cluster/, docs/scale.md); clientId, cleanSession, reconnectPeriodMs and credentials are then unused
   */
  transport?: HelpdeskTransport;
  /** the device registry (customers, devices, stores, workshops); see helpdesk/registry */
  registry?: Registry;
  /** without a registry: a fixed world, kept in a registry in memory */
  directory?: Directory;
  /** a tariff (replays, tests) or a tariff provider (helpdesk/tariffs/): the prices loads are planned on */
  tariff: TariffInput;
  store: TicketStore;
  /** where loads live (openSqliteLoadStore on the helpdesk's database); default in memory (createMemoryLoadStore) */
  loads?: LoadStore;
  /** bounds of the core's per-customer collections (see CoreLimits) */
  limits?: CoreLimits;
  /** where telemetry is kept (openSqliteTelemetryStore on the helpdesk's database); default in memory */
  telemetry?: TelemetryStore;
  /** telemetry retention, batching and chart bounds (event time; see TelemetryPolicy) */
  telemetryPolicy?: Partial<TelemetryPolicy>;
  clock: Clock;
  log: Logger;
  /** fixed per helpdesk, so that its persistent session survives restarts; default 'evernet-helpdesk' */
  clientId?: string;
  /**
   * true: a clean session (the broker forgets the helpdesk when it disconnects; replays, which are
   * self-contained). Default false: a persistent session, the broker keeps its queue.
   */
  cleanSession?: boolean;
  /** the QoS of its subscriptions (default 1; MqttTransportOptions.subscribeQos) */
  subscribeQos?: 0 | 1;
  /** ms between reconnect attempts (default 1000) */
  reconnectPeriodMs?: number;
  /** observer: every message handed to the core, in processing order (tests, audits) */
  onProcessed?: (m: Decoded) => void;
  /** the helpdesk's broker identity, when the broker requires one */
  credentials?: { username: string; password: string };
  /** the general detector and the silence watch (N, M): docs/detection.md; defaults otherwise */
  detection?: DetectionSettings;
  /** how far (ms) a message's event time may run ahead of the helpdesk's clock; default 5 min */
  maxClockSkewMs?: number;
  /**
   * received(n, through) counts only messages of event time <= through: a pipelined replay's barrier, while the
   * next window's messages arrive (scenario `pipeline`; an embedded replay's helpdesk, not in checkpoints); default off
   */
  countReceivedThrough?: boolean;
  /** live mode: how late (ms) a message may arrive and still be processed in order; default 2000 */
  allowedLatenessMs?: number;
  /**
   * Called once when the helpdesk cannot go on (its database is damaged, full or gone): it has
   * already disconnected from the broker, so nothing more is acknowledged. Without it, advance()
   * throws the error.
   */
  onFatal?: (err: Error) => void;
  /**
   * resolves when what the stores changed so far is stored for good (a PostgreSQL database: the
   * mirror's flush, docs/scale.md). With it, the messages a window decided are published only after
   * it, in order: a contact or command never leaves before the ticket that led to it is stored. A
   * rejection (the database lost) publishes nothing more. Without it (SQLite commits at once), at once.
   */
  durable?: () => Promise<void>;
  /** the telemetry's due writes on the next turn, after the decisions (helpdesk/telemetry/deferred.ts; replays) */
  deferTelemetryWrites?: boolean;
  /** whose telemetry is recorded (CoreDeps) */
  recordTelemetryOf?: CoreDeps['recordTelemetryOf'];
  /** notifications that leave evernet (webhook, e-mail; helpdesk/notify): off when absent, the MQTT contact is unchanged */
  notify?: NotifyConfig;
  /** the customers' consent, contacts and audit log (openSqliteCustomerStore on the helpdesk's database); default SQLite in memory */
  customers?: CustomerStore;
  /** where mass incidents (problems) live (openSqliteProblemStore on the helpdesk's database); default in memory */
  problems?: ProblemStore;
  /** how tickets are grouped into problems: window (default 6 h), threshold (3), area cell (0.25°); docs/problems.md */
  problemGrouping?: Partial<GroupOptions>;
  /**
   * false: this helpdesk does not group its own tickets (a partition of a cluster, whose problems are
   * grouped over every partition's facts: helpdesk/problems/regroup.ts); default true
   */
  groupProblems?: boolean;
  /** the product-service chain's bookings (openSqliteBookingStore on the helpdesk's database); default SQLite in memory */
  bookings?: BookingStore;
  /** satisfaction questions and scores (openSqliteSatisfactionStore on the helpdesk's database); default SQLite in memory */
  satisfaction?: SatisfactionStore;
  /** next-best offers: rules, the daily moment, expiry, usage recorded before (helpdesk/offers, docs/customers.md#offers) */
  offers?: OffersOptions;
  /** the consent customers had set before the helpdesk started (a scenario's `consent:`), applied once */
  consent?: readonly ConsentSeed[];
  /**
   * a checkpoint (helpdesk.checkpoint(), helpdesk/checkpoint.ts) to go on from, with the stores opened on
   * the database as it was when it was taken: the helpdesk then decides on the messages after it exactly
   * what the one that took it would have, and start() redoes nothing (no resume). Another version is
   * refused (EVN_ERR_CHECKPOINT_VERSION).
   */
  restore?: HelpdeskCheckpoint;
}

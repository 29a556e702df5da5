/**
 * Every error code evernet uses, with what it means, in one place (fastify's lib/errors.js in
 * spirit). Modules name the codes they raise in small tables (`LIMIT_ERR.RATE_LIMIT`), built with
 * codeTable() so that a code that is not registered here does not compile; a test checks that every
 * `EVN_ERR_*` written anywhere in the source is registered. How a code is answered (an HTTP status,
 * a CONNACK return code, an exit code) belongs to the edge that answers it, not to this list.
 */

export const ERRORS = {
  // the wire contract (contracts/validate.ts) and the helpdesk's ingest
  EVN_ERR_TOPIC: 'the topic is not part of the evernet/v1 tree',
  EVN_ERR_JSON: 'the payload (or request body) is not JSON',
  EVN_ERR_SCHEMA: 'the payload does not match the schema of its topic',
  EVN_ERR_TOO_LARGE: 'the payload (or request body) is larger than allowed',
  EVN_ERR_DUPLICATE: 'a redelivered message: same sender, sequence number not newer',
  EVN_ERR_OUT_OF_ORDER: 'a message older than the newest one seen from its sender',
  EVN_ERR_SEQ_JUMP: 'a sequence number further ahead than the sender could have counted: refused, not adopted',
  EVN_ERR_CLOCK_SKEW: "event time further ahead of the helpdesk's clock than the allowed skew",
  EVN_ERR_UNKNOWN_DEVICE: 'a customer or device the helpdesk does not know',
  EVN_ERR_KIND_MISMATCH: 'a device publishing or announcing itself as another kind than it is registered with',
  EVN_ERR_DEVICE_PENDING: 'a message from a device that announced itself and awaits staff acceptance: counted, not processed',
  EVN_ERR_DEVICE_REJECTED: 'a message from a device staff rejected: counted, not processed',
  EVN_ERR_INTERNAL: 'a valid message or request the helpdesk failed to handle (a bug): counted and logged, never a crash',

  // the broker's edge (broker/limits, broker/security.ts)
  EVN_ERR_PACKET_TOO_LARGE: 'an MQTT packet over the size limit: the connection is cut before the packet is buffered',
  EVN_ERR_TOPIC_TOO_LONG: 'a topic over the length limit',
  EVN_ERR_TOPIC_TOO_DEEP: 'a topic with more levels than allowed',
  EVN_ERR_RATE_LIMIT: "publishes or subscribes faster than the identity's token bucket allows",
  EVN_ERR_KEEPALIVE: 'a keep-alive of 0 or above the limit, or a client silent for 1.5 x its keep-alive',
  EVN_ERR_RETAIN: 'a retained publish on a channel that is never retained: forwarded with the flag cleared',
  EVN_ERR_BROKER_CLIENT: 'an MQTT client error the broker logged (a broken connection, a protocol error)',

  // broker authentication and ACL (broker/auth, broker/connect-hook.ts)
  EVN_ERR_AUTH_ANONYMOUS: 'a connection without a username and secret',
  EVN_ERR_AUTH_UNKNOWN_USER: 'an unknown username',
  EVN_ERR_AUTH_BAD_SECRET: 'a wrong secret',
  EVN_ERR_AUTH_REVOKED: 'a revoked identity, or one dropped when the credentials were reloaded',
  EVN_ERR_AUTH_CLIENT_ID: "a client id that is not the identity's",
  EVN_ERR_AUTH_CLIENT_ID_IN_USE: 'a client id held by another identity',
  EVN_ERR_AUTH_WILL: 'a last will on a topic the identity may not publish',
  EVN_ERR_AUTH_THROTTLED: 'too many failed logins from the address or for the identity: refused before any scrypt work',
  EVN_ERR_AUTH_SESSION_OWNER: 'resuming or wiping a persistent session another identity owns',
  EVN_ERR_ACL_PUBLISH: "a publish outside the identity's topics",
  EVN_ERR_ACL_SUBSCRIBE: "a subscription outside the identity's topics, or a wildcard from a device or app",

  // the credentials file and `evernet credentials`
  EVN_ERR_CREDENTIALS_FILE: 'the credentials file cannot be read or written',
  EVN_ERR_CREDENTIALS_INVALID: 'the credentials file does not match its schema',
  EVN_ERR_CREDENTIALS_NAME: 'an identity name that is not a valid username',
  EVN_ERR_CREDENTIALS_EXISTS: 'an identity that is already in the file',
  EVN_ERR_CREDENTIALS_UNKNOWN: 'an identity that is not in the file',
  EVN_ERR_CREDENTIALS_CLIENT_ID_CLASH: 'two identities that would share a client id',

  // `evernet broker` and the broker's state (broker/persistence)
  EVN_ERR_BROKER_ANONYMOUS: 'the broker refuses to start without --credentials or --allow-anonymous',
  EVN_ERR_BROKER_TLS_FILE: 'a TLS certificate or key file that cannot be read',
  EVN_ERR_BROKER_DATA_DIR: "the broker's data directory or file cannot be opened",
  EVN_ERR_BROKER_DATA_LOCKED: 'the data directory is in use by another broker',
  EVN_ERR_BROKER_DATA_CORRUPT: "the broker's file is damaged beyond saving: moved nothing, refused to start",
  EVN_ERR_BROKER_DATA_SALVAGED: "the broker's file was damaged: what could be read was kept, the file moved aside",
  EVN_ERR_BROKER_DATA_UNREADABLE: 'a queued message could not be read back: moved aside, the session goes on',

  // databases (storage/)
  EVN_ERR_DB: 'a database error without a more precise code',
  EVN_ERR_DB_OPEN: 'a database file or its folder cannot be created or opened',
  EVN_ERR_DB_CORRUPT: 'a database file that is not SQLite or has a damaged page',
  EVN_ERR_DB_LOCKED: 'a database file held by another process (a PostgreSQL database: by another helpdesk)',
  EVN_ERR_DB_SCHEMA: 'a database file from a newer build of evernet',
  EVN_ERR_DB_CONNECT: 'a PostgreSQL database (--db postgres://…) that cannot be reached, refuses the credentials or does not exist',
  EVN_ERR_DB_WRITE: 'PostgreSQL stayed unreachable longer than the writer retries, or refused a write: the helpdesk stops',

  // the NATS cluster of partitioned helpdesk workers (cluster/nats, docs/scale.md)
  EVN_ERR_CLUSTER_CONNECT: 'no node of the NATS cluster answers at start (the URLs are named, without credentials)',
  EVN_ERR_CLUSTER_PARTITIONS: "a worker or runner started with another partition count than the cluster's stream was made for: refused before anything is consumed",
  EVN_ERR_CLUSTER_START: 'a local NATS cluster (tests, the bench, evernet cluster up) that did not start: nats-server missing, a node that exited, or no JetStream leader in time',
  EVN_ERR_CLUSTER_STREAM: "the partition stream cannot be created or read, or exists with a shape evernet did not give it",
  EVN_ERR_CLUSTER_VIEW: "something the cluster's dashboard cannot do for a partition another worker serves (a customer's export larger than a message between workers carries)",
  EVN_ERR_CLUSTER_UNSERVED: "no worker answers for a customer's partition right now (a takeover in progress): the cluster's dashboard cannot act on it",

  // checkpoints of a helpdesk's in-memory state (helpdesk/checkpoint.ts, docs/scale.md#checkpoints)
  EVN_ERR_CHECKPOINT_VERSION: "a checkpoint written by a build with another checkpoint version: refused, nothing restored",
  EVN_ERR_CHECKPOINT_INVALID: 'a checkpoint that is not one (a missing part, a malformed value), or state that has no plain form: refused',

  // processes and ports
  EVN_ERR_USAGE: 'a command called the wrong way',
  EVN_ERR_MQTT_LISTEN: "the embedded broker's port cannot be bound",
  EVN_ERR_BROKER_UNREACHABLE: 'no MQTT broker answers at the URL a device was given',
  EVN_ERR_HTTP_LISTEN: "the dashboard's port cannot be bound",
  EVN_ERR_SCENARIO: 'a scenario file that does not load or validate',
  // the benches: the comparison with another revision (bench/against.ts), the NAB scorer's input (bench/nab)
  EVN_ERR_BENCH_REVISION: 'bench --against: a revision that names no commit, or that could not be checked out',
  EVN_ERR_BENCH_DEPENDENCIES: 'bench --against: a revision with another package-lock.json than the tree it is compared from',
  EVN_ERR_BENCH_GROUP: 'bench --against: no group named, or a group that takes the whole machine itself',
  EVN_ERR_BENCH_RUN: 'bench --against: a run of the bench that failed or printed no figures',
  EVN_ERR_NAB_DIR: 'bench:nab: no NAB directory given, or one without its data, labels or profiles',
  EVN_ERR_REPORT_PATH: "a file a command writes (a replay's --report-json, --report-html; an export's --out) in a missing or unwritable folder, or a folder given as the file: refused before the work starts",
  EVN_ERR_EXPECTATION: "a replay whose outcome is not what its scenario's expect: block says (exit code 3)",
  EVN_ERR_REPLAY_STALLED: 'a replay waited longer than its stall timeout for messages or commands',
  EVN_ERR_REPLAY_START: "the node process a replay runs in (started with the runner's V8 flags, cli/bin.mjs) could not be started",
  EVN_ERR_FLEET_TOO_LARGE: "a replay the machine cannot carry (memory, or connections a process may hold): refused before it starts, with an estimate of what it needs",
  EVN_ERR_ENGINE_HOST: 'a device host process of a replay failed a call (its message names the cause); the replay stops',
  EVN_ERR_ENGINE_HOST_EXITED: 'a device host process of a replay exited before the replay was done; the replay stops',
  EVN_ERR_ENGINE_CALL: 'a device host received a control message that is not a call (control.ts): answered with this code, nothing done',
  EVN_ERR_CLOCK_BACKWARDS: 'a virtual clock asked to move back in time',
  EVN_ERR_CLOCK: 'a scaled clock given a start that is not a time or a rate that is not a positive number',
  EVN_ERR_TARIFF: 'a tariff or price file that does not load or parse',
  EVN_ERR_TARIFF_CONFIG: 'a tariff configuration (price source, fees, fixed or time-of-use prices, fallback) that does not validate',
  EVN_ERR_TARIFF_FEED_UNREACHABLE: 'the price feed cannot be reached (refused, unknown host, no answer within the timeout): the cache and the fallback serve',
  EVN_ERR_TARIFF_FEED_HTTP: 'the price feed answered with an HTTP error status: the cache and the fallback serve',
  EVN_ERR_TARIFF_FEED_MALFORMED: "the price feed's answer is not prices in the expected format: nothing of it is kept",

  // the helpdesk's own bounds and plans
  EVN_ERR_SHOPPING_EVICTED: "a customer's oldest recipe answers were forgotten (bounded per customer)",
  EVN_ERR_COMMAND_FORGOTTEN: 'the oldest command awaiting a result was forgotten (bounded)',
  EVN_ERR_LOADS_EVICTED: "a device's oldest stored loads were deleted to keep it within the retention",
  EVN_ERR_TELEMETRY_WRITE: 'a batch of telemetry the database refused for a reason other than breaking (a lock): kept in memory and retried',
  EVN_ERR_TELEMETRY_DROPPED: "telemetry the helpdesk could not store while its buffer was full: the oldest readings went (counted)",
  EVN_ERR_LOAD_SUPERSEDED: 'a newer offer from the same device replaced an open one',
  EVN_ERR_LOAD_REPEATED: 'a device sent its open flex offer again (same id, window and power sequence): the plan is sent again, not a new load',
  EVN_ERR_PLAN_INFEASIBLE: "a flex offer whose programme does not fit between its earliest start and its deadline",
  EVN_ERR_PLAN_NO_TARIFF: 'a flex offer with no prices for its window and no fallback tariff: not planned, the appliance keeps its own start',
  EVN_ERR_PLAN_FALLBACK: 'a flex offer planned on the fallback tariff, or only within the prices known: no prices for (part of) its window',
  EVN_ERR_FLEET_OFFER: 'a flex offer the fleet coordinator cannot place (bad slots, no start on its grid before the deadline, no prices for its window, a bin that does not divide the tariff slot): left out and named, the others are planned',

  // the device registry (helpdesk/registry, `evernet devices`, `evernet customers`)
  EVN_ERR_REGISTRY_INPUT: 'a customer or device with unusable fields (id, kind, reading names, time zone, ...)',
  EVN_ERR_REGISTRY_EXISTS: 'a customer or device that is already registered',
  EVN_ERR_REGISTRY_IN_USE: 'a customer that still has devices',
  EVN_ERR_REGISTRY_FULL: 'too many devices await acceptance: an announce or unknown device beyond the bound is counted and logged, not recorded',

  // tickets and staff
  EVN_ERR_TICKET_STATE: "a transition the ticket's state does not allow",
  EVN_ERR_TICKET_TIME: "a transition timed before the ticket's last change",
  EVN_ERR_TICKET_INPUT: 'a ticket opened with unusable input',
  EVN_ERR_TICKET_STALE: 'the ticket changed meanwhile: reload and retry',
  EVN_ERR_TICKET_NOT_FOUND: 'an unknown ticket',
  EVN_ERR_PROBLEM_NOT_FOUND: 'an unknown problem (mass incident)',
  EVN_ERR_COMMAND_INVALID: 'a remote command the contract rejects',
  EVN_ERR_STAFF_NAME: 'a staff name that is not allowed',
  EVN_ERR_STAFF_PASSWORD: 'a staff password that is too short or too long',
  EVN_ERR_STAFF_EXISTS: 'a staff account that already exists',

  // the customer's own settings and data (helpdesk/customers, docs/customers.md)
  EVN_ERR_UNKNOWN_CUSTOMER: 'a consent view, export or erasure for a customer evernet does not know (never registered, or erased)',
  EVN_ERR_CONSENT_PURPOSE: 'a consent change naming a purpose evernet does not know (service, offers, partner-offers): nothing changed',
  EVN_ERR_CONSENT_CHANNEL: 'a consent change naming a channel evernet does not know: nothing changed',
  EVN_ERR_CONSENT_INPUT: 'a blacklist or preferences change that cannot be applied (a blacklist over its bound, quiet hours of no length): nothing changed',
  EVN_ERR_CONSENT_NO_CHANNEL: 'a contact not sent: the customer allows no channel for its purpose that fits the moment (recorded on the ticket)',
  EVN_ERR_OFFER_NO_CONSENT: 'an offer the customer has not opted in to, for its purpose or on its channel',
  EVN_ERR_OFFER_BLACKLISTED: "an offer from a company or partner on the customer's blacklist",
  EVN_ERR_OFFER_QUIET_HOURS: "an offer during the customer's quiet hours",
  EVN_ERR_OFFER_CAP: "an offer beyond the customer's cap of non-urgent contacts a day",
  EVN_ERR_OFFER_ANSWERED: 'an answer to an offer already accepted or declined: the first answer stands',
  EVN_ERR_OFFER_EXPIRED: 'an answer to an offer that expired unanswered: nothing changed',
  EVN_ERR_OFFER_ANSWER: "an answer an offer does not take (an offer is accepted with 'accept-fix' or 'call-me', or declined; it has no slots): nothing changed",
  EVN_ERR_EXPORT_TOO_LARGE: 'an export through the app larger than the app may receive: staff export it with the CLI or the API, which have no cap',
  EVN_ERR_EXPORT_THROTTLED: "an export through the app asked for within a minute of the customer's previous one: nothing exported",
  EVN_ERR_ERASE_ONLINE: 'an erasure refused while devices of the customer are online: they would register again at once',
  EVN_ERR_ERASE_CONFIRM: "an erasure through the app whose confirm does not repeat the customer's id",

  // the dialogue with the customer and the product-service chain's bookings (helpdesk/dialogue, helpdesk/bookings)
  EVN_ERR_REPLY_INPUT: 'a reply naming neither a ticket nor an offer (or both), or a pick-slot without a slot: nothing changed',
  EVN_ERR_REPLY_UNKNOWN_TICKET: 'a reply to a ticket evernet does not know: nothing changed',
  EVN_ERR_REPLY_NOT_YOURS: "a reply to another customer's ticket: nothing changed (and nothing said about that ticket)",
  EVN_ERR_REPLY_CLOSED: 'a reply to a resolved ticket: nothing changed',
  EVN_ERR_REPLY_UNKNOWN_OFFER: 'a reply to an offer evernet does not know: nothing changed',
  EVN_ERR_REPLY_NO_BOOKING: 'a pick-slot on a ticket without a booking waiting for a slot: nothing changed',
  EVN_ERR_REPLY_UNKNOWN_SLOT: "a pick-slot naming a slot that is not one of the booking's workshop: nothing changed",
  EVN_ERR_BOOKING_FULL: 'a slot (or the replacement cars of its day) taken to capacity by other bookings: nothing changed, pick another',
  EVN_ERR_SATISFACTION_NOT_ASKED: 'a satisfaction score for a ticket evernet did not ask about (not resolved, unknown, or not theirs): nothing recorded',
  EVN_ERR_SATISFACTION_ANSWERED: 'a second satisfaction score for one ticket: the first stands',

  // the dashboard's API (helpdesk/web) and its page
  EVN_ERR_INPUT: 'a body, query or path that does not match its schema',
  EVN_ERR_MEDIA_TYPE: 'a body that is not application/json',
  EVN_ERR_BODY: 'a request body that cannot be read',
  EVN_ERR_REQUEST: 'a request that cannot be read (a path parameter over 200 characters, ...)',
  EVN_ERR_UNAUTHENTICATED: 'no session, an unknown one, or an expired one',
  EVN_ERR_LOGIN: 'an unknown name or a wrong password (the same answer for both)',
  EVN_ERR_LOGIN_THROTTLED: 'too many failed logins, or too many login requests from one address',
  EVN_ERR_CSRF: 'a state-changing call without the right X-CSRF-Token',
  EVN_ERR_NOT_FOUND: 'an unknown route or file',
  EVN_ERR_DEVICE_NOT_FOUND: 'an unknown device',
  EVN_ERR_LOAD_NOT_FOUND: 'an unknown load',
  EVN_ERR_HTTP: 'the page got an answer it could not read',
  EVN_ERR_NETWORK: 'the page could not reach the helpdesk',

  // devices: commands a model refuses, the outbox, discovery
  EVN_ERR_UNSUPPORTED_COMMAND: 'a command this kind of device does not take',
  EVN_ERR_OUT_OF_RANGE: 'a command value outside what the device accepts',
  EVN_ERR_NO_SUCH_CONSUMER: 'a consumer the car does not have',
  EVN_ERR_NO_SUCH_OFFER: 'a schedule for an offer the washer did not make',
  EVN_ERR_OUTSIDE_WINDOW: "a start outside the offer's window",
  EVN_ERR_ALREADY_RUNNING: 'a start for a programme that is already running',
  EVN_ERR_NOT_RUNNING: 'a command that needs a running programme',
  EVN_ERR_OUTBOX_FULL: "the device's outbox is full: its oldest unsent message was dropped",
  EVN_ERR_NOT_CONFIRMED: 'a device with end-to-end acknowledgements got no confirmation for six resend periods: only a cluster\'s workers confirm; its readings wait in the outbox',
  EVN_ERR_DISCOVERY: 'a Home Assistant discovery config that could not be published',

  // boards (devices/drivers, devices/firmata)
  EVN_ERR_BOARD_FILE: 'a board file that does not parse or validate',
  EVN_ERR_NO_BOARD: 'no serial port that looks like an Arduino',
  EVN_ERR_MANY_BOARDS: 'several candidate ports: --port must choose',
  EVN_ERR_PORT_NOT_FOUND: 'the serial port does not exist',
  EVN_ERR_PORT_PERMISSION: 'the serial port may not be opened by this user',
  EVN_ERR_PORT_BUSY: 'the serial port is in use',
  EVN_ERR_PORT_OPEN: 'the serial port cannot be opened',
  EVN_ERR_NOT_FIRMATA: 'the line is open but nothing answers in Firmata',
  EVN_ERR_FIRMWARE_FEATURE: 'the firmware lacks a feature the board file needs',
  EVN_ERR_BOARD_DISCONNECTED: 'the board went away (unplugged, reset, stream closed)',
  EVN_ERR_SENSOR_SILENT: 'a sensor never produced a reading',
  EVN_ERR_SENSOR_RANGE: "a sensor reading outside the contract's range",
  EVN_ERR_BOARD_STATE: "a board's state file (a washer's armed offer and planned start) that cannot be read or written",
  EVN_ERR_WASHER_NO_START: 'a washer board pressed start but the measured power never rose',

  // notifications that leave evernet (helpdesk/notify): each attempt is recorded, failures retried
  EVN_ERR_NOTIFY_HTTP_STATUS: 'the webhook receiver answered with a status other than 2xx',
  EVN_ERR_NOTIFY_UNREACHABLE: 'the webhook receiver or SMTP server could not be reached (refused, reset, DNS)',
  EVN_ERR_NOTIFY_TIMEOUT: 'the webhook receiver did not answer within the timeout',
  EVN_ERR_NOTIFY_SMTP: 'the SMTP server refused the message',
  EVN_ERR_NOTIFY_NO_ADDRESS: 'an e-mail with no recipient: none configured and the registry has no address for the customer (not retried)',
  EVN_ERR_NOTIFY_QUEUE_FULL: 'the notification queue is at its cap: the notification is recorded as failed, not queued',
  EVN_ERR_NOTIFY_GAVE_UP: 'a notification that failed on every allowed attempt: recorded, no more retries',
} as const;

export type EvnErrorCode = keyof typeof ERRORS;

/** a module's short names for the codes it raises; every value must be registered in ERRORS */
export const codeTable = <const T extends Record<string, EvnErrorCode>>(table: T): T => table;

/** what a code means */
export const meaningOf = (code: EvnErrorCode): string => ERRORS[code];
